export {
  accessMatrix,
  type AccessMatrix,
  type AccessMatrixOptions,
  type DepartmentAccess,
  type DepartmentAccessState,
  type FieldAccess,
  type FieldCell,
  type KeyPolicyView,
  type ProbeRef,
} from './access-matrix.js';
export { decryptGrants, type KeyPolicyGrant } from './key-policy.js';
