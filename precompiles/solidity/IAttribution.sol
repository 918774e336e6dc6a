// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {IOpalPrecompile} from "./IOpalPrecompile.sol";

/// @title Attribution — scoring graphs and the attribution of a model's answers to contributions
/// @notice Native precompile at 0x4f50414c00000000000000000000000000000006 (configurable in genesis).
/// A model's candidates are the accepted contributions of the Datanet versions it cites (never
/// pending, rejected or flagged ones). score_i = max(0, sketch_i · sketch), exact integers; the
/// best k in the order (score descending, contribution id ascending). Mode `exact` scans every
/// candidate; `indexed` probes a deterministic integer LSH index and scores the probed exactly.
/// A model citing a registered graph other than the default is scored by that graph instead, as
/// the chain's reference interpreter runs it (precompiles/README.md, "Registered graphs").
interface IAttribution is IOpalPrecompile {
    enum Mode { Auto, Exact, Indexed }

    struct ModelAttribution {
        uint16 k;
        Mode mode;                // as configured
        Mode effectiveMode;       // Exact or Indexed, as receipts are scored now
        uint256 candidates;
        uint16 dimension;         // sketch bytes
        bytes32 scoringGraphId;
    }

    struct ScoringGraph {
        bool registered;
        uint256 size;
        address registrant;
        uint64 registeredAt;
    }

    event ScoringGraphRegistered(bytes32 indexed graphId, address indexed registrant, uint256 size);
    event ModelConfigured(uint256 indexed modelId, uint16 k, Mode mode);

    error GraphRejected(string reason);
    error GraphExists(bytes32 graphId);
    error ModelNotFound(uint256 modelId);
    error NotModelOwner(address caller);
    error InvalidK(uint16 k, uint16 max);
    error WrongSketchSize(uint256 expected, uint256 given);
    error ScoringUnavailable(string reason);

    /// Registers an ONNX scoring graph (integer-exact operations only, that the chain's interpreter runs); its id is keccak256(graph).
    function registerScoringGraph(bytes calldata graph) external returns (bytes32 graphId);
    /// By the model's owner: contributions paid per receipt, and how candidates are searched.
    function configureModel(uint256 modelId, uint16 k, Mode mode) external;

    function score(uint256 modelId, bytes calldata sketch) external view returns (uint256[] memory contributionIds, uint256[] memory scores);
    function modelAttribution(uint256 modelId) external view returns (ModelAttribution memory);
    function scoringGraph(bytes32 graphId) external view returns (ScoringGraph memory);
    function defaultScoringGraph() external view returns (bytes32);
}
