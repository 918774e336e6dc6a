// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {IOpalPrecompile} from "./IOpalPrecompile.sol";

/// @title Receipts — payer escrow, settlement of inference receipts, and claimable rewards
/// @notice Native precompile at 0x4f50414c00000000000000000000000000000005 (configurable in genesis).
/// Payers deposit OPEN here; every block the sequencer settles the inference receipts it accepted
/// with one call to settle(): each receipt's fee leaves its payer's escrow and is split among the
/// Datanet contributions that influenced the answer, the model owner, the adapter owner, the
/// inference server and the treasury, as claimable balances. What each contribution earned is
/// not kept here but by the node, beside the chain (JSON-RPC opal_getContributionStats).
interface IReceipts is IOpalPrecompile {
    struct Escrow {
        uint256 balance;
        uint256 pendingWithdrawal;
        uint64 availableAt;           // when the pending withdrawal can be made
    }

    event Deposited(address indexed payer, address indexed from, uint256 amount);
    event WithdrawalRequested(address indexed payer, uint256 amount, uint64 availableAt);
    event Withdrawn(address indexed payer, uint256 amount);
    event Claimed(address indexed account, uint256 amount);
    event BatchSettled(uint256 settled, uint256 rejected, uint256 fees);

    error NotSequencer(address caller);
    error NothingToClaim(address account);
    error InsufficientEscrow(uint256 balance, uint256 amount);
    error NoWithdrawalPending(address payer);
    error WithdrawalLocked(address payer, uint64 availableAt);
    error MalformedBatch(string reason);

    function deposit() external payable;
    function depositFor(address payer) external payable;
    /// Announces a withdrawal; receipts already accepted can still be charged until availableAt.
    function requestWithdrawal(uint256 amount) external;
    function withdraw() external;
    function claim() external returns (uint256 amount);

    /// Settles a batch of signed receipts (RLP, as opal_submitReceiptBatch takes them). Sequencer only.
    function settle(bytes calldata batch) external returns (uint256 settled, uint256 rejected);

    function escrowOf(address payer) external view returns (Escrow memory);
    function claimable(address account) external view returns (uint256);
    /// Block in which `server` was paid for `requestId`, or 0.
    function settledIn(address server, bytes32 requestId) external view returns (uint64);
    function totals() external view returns (uint256 receipts, uint256 fees);
}
