import type { AdminRole } from '../../../../shared/admin-api/roles.js';
import { ADMIN_ROLES } from '../../../../shared/admin-api/roles.js';

/** A config entry of admin.aws.roles. */
export interface RoleMapping {
  arn: string;
  roles: readonly AdminRole[];
}

/** `*` matches inside one ARN segment (never across `/` or `:`): `assumed-role/Ops/*` admits every session of role Ops, and nothing under another role or account. */
function compile(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/:]*')}$`);
}

/**
 * Maps a caller ARN (as STS returned it) to admin roles: the union of the roles of every entry whose
 * pattern matches. Re-applied on every request, so removing a mapping takes effect at the next call,
 * not when the session expires.
 */
export function createRoleMapper(mappings: readonly RoleMapping[]): (arn: string) => AdminRole[] {
  const compiled = mappings.map((m) => ({ re: compile(m.arn), roles: m.roles }));
  return (arn) => {
    const granted = new Set<AdminRole>();
    for (const m of compiled) if (m.re.test(arn)) for (const r of m.roles) granted.add(r);
    return ADMIN_ROLES.filter((r) => granted.has(r));
  };
}
