// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {IOpalPrecompile} from "./IOpalPrecompile.sol";

/// @title DatanetRegistry — community datasets, their contributions, curation and versions
/// @notice Native precompile at 0x4f50414c00000000000000000000000000000001 (configurable in genesis).
/// Contributions stake OPEN; curators vote; a quorum decides. Rejected: half the stake goes to the
/// Datanet treasury, half back. Flagged (spam, malicious): all of it to the treasury. Accepted: the
/// whole stake is withdrawable once the withdraw delay has passed since acceptance.
interface IDatanetRegistry is IOpalPrecompile {
    struct Rules {
        uint256 minStake;       // wei of OPEN a contribution must stake
        uint8 sketchKind;       // 1 = int8 vector
        uint16 sketchDim;       // bytes per sketch, 16..1024
        string licenseURI;
        address[] curators;
        uint8 quorum;           // votes that decide, 1..curators.length
    }

    struct Datanet {
        uint256 id;
        address owner;
        string name;
        string schemaURI;
        bytes32 schemaHash;
        uint256 minStake;
        uint8 sketchKind;
        uint16 sketchDim;
        string licenseURI;
        address[] curators;
        uint8 quorum;
        uint256 treasury;
        uint64 contributions;
        uint64 accepted;
        uint64 versions;
        uint64 createdAt;
    }

    struct Contribution {
        uint256 id;
        uint256 datanetId;
        address contributor;
        bytes32 contentHash;
        bytes sketch;
        string metadataURI;
        uint256 stake;
        uint8 status;           // 0 pending, 1 accepted, 2 rejected, 3 flagged
        uint8 acceptVotes;
        uint8 rejectVotes;
        uint8 flagVotes;
        uint64 submittedAt;
        uint64 decidedAt;
        bool withdrawn;
    }

    struct Version {
        uint256 datanetId;
        uint64 number;          // 1, 2, …
        bytes32 root;           // Merkle root over accepted contributions in acceptance order
        uint64 count;           // accepted contributions the version covers
        uint64 publishedAt;
    }

    event DatanetCreated(uint256 indexed datanetId, address indexed owner, string name);
    event ContributionSubmitted(uint256 indexed datanetId, uint256 indexed contributionId, address indexed contributor, bytes32 contentHash, uint256 stake);
    event ContributionReviewed(uint256 indexed contributionId, address indexed curator, uint8 verdict, bytes32 reasonHash);
    event ContributionDecided(uint256 indexed datanetId, uint256 indexed contributionId, uint8 status, uint256 slashed);
    event StakeWithdrawn(uint256 indexed contributionId, address indexed contributor, uint256 amount);
    event VersionPublished(uint256 indexed datanetId, uint64 indexed version, bytes32 root, uint64 count);
    event TreasuryWithdrawn(uint256 indexed datanetId, address indexed to, uint256 amount);

    error DatanetNotFound(uint256 datanetId);
    error ContributionNotFound(uint256 contributionId);
    error VersionNotFound(uint256 datanetId, uint64 version);
    error InvalidRules(string reason);
    error DuplicateContent(uint256 datanetId, bytes32 contentHash, uint256 existingId);
    error WrongSketchSize(uint16 expected, uint256 given);
    error StakeTooLow(uint256 minimum, uint256 given);
    error NotCurator(address caller);
    error NotOwner(address caller);
    error AlreadyReviewed(uint256 contributionId, address curator);
    error AlreadyDecided(uint256 contributionId, uint8 status);
    error InvalidVerdict(uint8 verdict);
    error NotWithdrawable(uint256 contributionId, uint64 availableAt);
    error NothingToPublish(uint256 datanetId);
    error InsufficientTreasury(uint256 available, uint256 requested);

    function createDatanet(string calldata name, string calldata schemaURI, bytes32 schemaHash, Rules calldata rules) external returns (uint256 datanetId);
    function contribute(uint256 datanetId, bytes32 contentHash, bytes calldata sketch, string calldata metadataURI) external payable returns (uint256 contributionId);
    /// verdict: 1 accept, 2 reject, 3 flag. Curators may also flag an accepted contribution (spam that
    /// slipped through): a quorum of flags slashes what is left of its stake.
    function review(uint256 contributionId, uint8 verdict, bytes32 reasonHash) external;
    function withdrawStake(uint256 contributionId) external;
    function publishVersion(uint256 datanetId) external returns (uint64 version);
    function withdrawTreasury(uint256 datanetId, address to, uint256 amount) external;

    function getDatanet(uint256 datanetId) external view returns (Datanet memory);
    function getContribution(uint256 contributionId) external view returns (Contribution memory);
    function getVersion(uint256 datanetId, uint64 version) external view returns (Version memory);
    function contributionsOf(address contributor, uint256 cursor, uint256 limit) external view returns (uint256[] memory ids, uint256 next);
    function listContributions(uint256 datanetId, uint256 cursor, uint256 limit) external view returns (uint256[] memory ids, uint256 next);
    function listDatanets(uint256 cursor, uint256 limit) external view returns (uint256[] memory ids, uint256 next);
    function datanetCount() external view returns (uint256);
}
