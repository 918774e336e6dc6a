// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {IOpalPrecompile} from "./IOpalPrecompile.sol";

/// @title InferenceNodes — GPU inference servers that report receipts, with their stake
/// @notice Native precompile at 0x4f50414c00000000000000000000000000000004 (configurable in genesis).
/// A server is known by the address whose key signs its receipts (`signer`); its operator stakes
/// OPEN, manages it and gets the stake back after an unbonding delay. Receipts are accepted only
/// from Active servers holding at least the minimum stake; the genesis slasher can slash them.
interface IInferenceNodes is IOpalPrecompile {
    enum Status { None, Active, Unbonding, Exited }

    struct Server {
        address signer;
        address operator;
        string endpoint;
        uint256 stake;
        Status status;
        uint64 registeredAt;
        uint64 unbondingSince;
        uint64 availableAt;       // when the stake can be withdrawn (while unbonding)
        uint256 slashed;          // total slashed so far
    }

    event ServerRegistered(address indexed signer, address indexed operator, string endpoint, uint256 stake);
    event StakeAdded(address indexed signer, uint256 amount, uint256 stake);
    event EndpointChanged(address indexed signer, string endpoint);
    event UnstakeRequested(address indexed signer, uint64 availableAt);
    event StakeWithdrawn(address indexed signer, address indexed operator, uint256 amount);
    event ServerSlashed(address indexed signer, uint256 amount, bytes32 reasonHash);

    error ServerNotFound(address signer);
    error ServerExists(address signer);
    error NotOperator(address caller);
    error NotSlasher(address caller);
    error StakeTooLow(uint256 minimum, uint256 given);
    error NotActive(address signer, Status status);
    error NotUnbonding(address signer);
    error StakeLocked(address signer, uint64 availableAt);
    error SlashTooLarge(uint256 stake, uint256 amount);
    error InvalidServer(string reason);

    /// Registers the server that signs with `signer`; msg.value is its stake (at least minStake()).
    function register(address signer, string calldata endpoint) external payable;
    function addStake(address signer) external payable;
    function setEndpoint(address signer, string calldata endpoint) external;
    /// Stops the server taking new receipts; its stake stays slashable until availableAt.
    function requestUnstake(address signer) external;
    function withdrawStake(address signer) external;
    function slash(address signer, uint256 amount, bytes32 reasonHash) external;

    function getServer(address signer) external view returns (Server memory);
    function minStake() external view returns (uint256);
    function listServers(uint256 cursor, uint256 limit) external view returns (address[] memory signers, uint256 next);
    function serverCount() external view returns (uint256);
}
