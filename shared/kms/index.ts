export { KMS_ERRORS, kmsErrorDetails, kmsFailureKind, kmsSealError, type KmsErrorCode, type KmsFailureKind } from './errors.js';
export { captureKmsFailures, createKmsClients, type AwsCredentials, type KmsCallCounts, type KmsCallFailure, type KmsClients, type KmsConnection } from './kms-client.js';
export { SealOpenKeyring, anyOf, kmsKeyring } from './department-keyring.js';
export { departmentMaterials, type DepartmentMaterials, type DepartmentMaterialsOptions, type KmsSettings } from './department-materials.js';
export { discoveryFilterFor, parseKmsArn, regionOfKeyId, type KmsArn } from './key-arn.js';
