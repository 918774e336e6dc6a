import type { MethodTable } from '../../method.ts'
import { blockMethods } from './blocks.ts'
import { chainInfoMethods } from './chainInfo.ts'
import { executionMethods } from './execution.ts'
import { logMethods } from './logs.ts'
import { signingMethods } from './signing.ts'
import { stateMethods } from './state.ts'
import { transactionMethods } from './transactions.ts'

/** The eth_ namespace, by concern; personal_sign rides along with the signing methods. */
export const ethMethods: MethodTable = {
  ...chainInfoMethods,
  ...stateMethods,
  ...blockMethods,
  ...transactionMethods,
  ...executionMethods,
  ...logMethods,
  ...signingMethods,
}
