// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {IOpalPrecompile} from "./IOpalPrecompile.sol";

/// @title ModelRegistry — trained models and their provenance
/// @notice Native precompile at 0x4f50414c00000000000000000000000000000002 (configurable in genesis).
/// A model cites the Datanet versions it was trained on, pinning its training data; evaluations are
/// recorded by the model's owner, and each change of a benchmark's value is credited to every
/// Datanet version the model cites (for reward weighting).
interface IModelRegistry is IOpalPrecompile {
    struct DatanetVersion {
        uint256 datanetId;
        uint64 version;
    }

    struct Model {
        uint256 id;
        address owner;
        string baseModel;
        string name;
        DatanetVersion[] datanetVersions;
        bytes32 trainingRunHash;
        bytes32 scoringGraphId;   // 0 = the chain's default attribution graph
        uint64 createdAt;
        uint64 evals;
    }

    struct Eval {
        bytes32 benchmarkId;
        bytes32 metric;
        int256 value;
        int256 delta;             // change from the previous value of this benchmark for this model
        uint64 recordedAt;
    }

    event ModelRegistered(uint256 indexed modelId, address indexed owner, string name, bytes32 trainingRunHash);
    event EvalRecorded(uint256 indexed modelId, bytes32 indexed benchmarkId, bytes32 metric, int256 value, int256 delta);
    event PublisherApproved(uint256 indexed modelId, address indexed publisher, bool approved);

    error ModelNotFound(uint256 modelId);
    error NotModelOwner(address caller);
    error UnknownDatanetVersion(uint256 datanetId, uint64 version);
    error TooManyVersions(uint256 given, uint256 max);
    /// the scoring graph is neither zero (the default) nor registered in the Attribution precompile
    error UnknownScoringGraph(bytes32 graphId);

    function registerModel(string calldata baseModel, string calldata name, DatanetVersion[] calldata datanetVersions, bytes32 trainingRunHash, bytes32 scoringGraphId) external returns (uint256 modelId);
    function recordEval(uint256 modelId, bytes32 benchmarkId, bytes32 metric, int256 value) external;
    function approvePublisher(uint256 modelId, address publisher, bool approved) external;

    function getModel(uint256 modelId) external view returns (Model memory);
    function getEval(uint256 modelId, bytes32 benchmarkId) external view returns (Eval memory);
    function versionEvalDelta(uint256 datanetId, uint64 version, bytes32 benchmarkId) external view returns (int256);
    function isPublisher(uint256 modelId, address publisher) external view returns (bool);
    function listModels(uint256 cursor, uint256 limit) external view returns (uint256[] memory ids, uint256 next);
    function modelCount() external view returns (uint256);
}
