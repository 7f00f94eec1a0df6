/**
 * Who may do what on the admin API. Shared so the console can hide what a session may not do, and
 * the service enforces exactly the same table.
 */

/** The roles an operator's AWS identity is mapped to (config `admin.aws.roles`). */
export const ADMIN_ROLES = ['operator', 'reviewer', 'admin'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/** One permission per kind of request; a route names the one it needs. */
export const ADMIN_PERMISSIONS = [
  'status:read',
  'backlog:read',
  'dead-letters:read',
  'backlog:drain',
  'sources:pause',
  'dead-letters:redrive',
  'dead-letters:discard',
  'replay:run',
  'replay:read',
  'audit:read',
  'audit:record',
  'suppressions:read',
  'suppressions:remove',
  'subjects:forget',
] as const;
export type AdminPermission = (typeof ADMIN_PERMISSIONS)[number];

/**
 * operator: sees and moves what is stuck; reviewer: sees status, dead letters and who did what;
 * admin: everything, including discarding a dead letter for good, removing a suppression and forgetting a person for good.
 * Every role may report the console's own decryptions and exports (`audit:record`), since every role can decrypt what its profile allows.
 */
export const ROLE_PERMISSIONS: Record<AdminRole, readonly AdminPermission[]> = {
  operator: [
    'status:read',
    'backlog:read',
    'dead-letters:read',
    'backlog:drain',
    'sources:pause',
    'dead-letters:redrive',
    'replay:run',
    'replay:read',
    'audit:record',
    'suppressions:read',
  ],
  reviewer: ['status:read', 'dead-letters:read', 'audit:read', 'audit:record', 'suppressions:read'],
  admin: ADMIN_PERMISSIONS,
};

/** The union of the permissions of `roles`, in catalogue order. */
export function permissionsOf(roles: readonly AdminRole[]): AdminPermission[] {
  const granted = new Set(roles.flatMap((r) => ROLE_PERMISSIONS[r] ?? []));
  return ADMIN_PERMISSIONS.filter((p) => granted.has(p));
}
