// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title Errors every opal precompile may revert with
interface IOpalPrecompile {
    /// a state-changing function was called through STATICCALL (or a view context)
    error WriteInStaticCall();
    /// OPEN was sent to a function that does not take it
    error NotPayable();
    /// precompiles run only in their own context: DELEGATECALL and CALLCODE are refused
    error DelegateCallNotAllowed();
    error UnknownSelector(bytes4 selector);
    error MalformedInput();
}
