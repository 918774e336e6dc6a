// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {IOpalPrecompile} from "./IOpalPrecompile.sol";

/// @title AdapterRegistry — OpenLoRA adapters of registered models, with their prices
/// @notice Native precompile at 0x4f50414c00000000000000000000000000000003 (configurable in genesis).
/// Lookups by id are constant-time in the number of adapters: inference servers holding thousands
/// of adapters call getAdapters with batches of ids.
interface IAdapterRegistry is IOpalPrecompile {
    struct Adapter {
        uint256 id;
        uint256 modelId;
        address owner;
        bytes32 weightsHash;
        string weightsURI;
        uint16 rank;
        string targetModules;
        uint256 pricePerKTokens;  // wei of OPEN per 1,000 tokens (input + output)
        bool active;
        uint64 createdAt;
    }

    event AdapterRegistered(uint256 indexed adapterId, uint256 indexed modelId, address indexed owner, bytes32 weightsHash, uint256 pricePerKTokens);
    event PriceChanged(uint256 indexed adapterId, uint256 pricePerKTokens);
    event AdapterDeactivated(uint256 indexed adapterId);
    event AdapterTransferred(uint256 indexed adapterId, address indexed from, address indexed to);

    error AdapterNotFound(uint256 adapterId);
    error NotAdapterOwner(address caller);
    error NotModelPublisher(uint256 modelId, address caller);
    error AdapterInactive(uint256 adapterId);
    error InvalidAdapter(string reason);
    error TooManyIds(uint256 given, uint256 max);

    function registerAdapter(uint256 modelId, bytes32 weightsHash, string calldata weightsURI, uint16 rank, string calldata targetModules, uint256 pricePerKTokens) external returns (uint256 adapterId);
    function setPrice(uint256 adapterId, uint256 pricePerKTokens) external;
    function deactivate(uint256 adapterId) external;
    function transfer(uint256 adapterId, address to) external;

    function getAdapter(uint256 adapterId) external view returns (Adapter memory);
    function getAdapters(uint256[] calldata adapterIds) external view returns (Adapter[] memory);
    function listAdapters(uint256 modelId, uint256 cursor, uint256 limit) external view returns (uint256[] memory ids, uint256 next);
    function adapterCount() external view returns (uint256);
}
