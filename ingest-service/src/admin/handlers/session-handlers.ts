import { permissionsOf } from '../../../../shared/admin-api/roles.js';
import { actorFacts } from '../../audit/index.js';
import type { AdminDeps } from '../admin-deps.js';
import { ADMIN_ERRORS, adminError } from '../errors.js';
import type { AdminHandlers } from '../server.js';

/** Sign-in (audited, success or a genuine identity without a role) and "who am I" (with the service's keys topic). */
export function sessionHandlers(deps: AdminDeps): Pick<AdminHandlers, 'login' | 'session'> {
  const target = `server/${deps.admin.serverId ?? 'local'}`;
  // Told at sign-in so the console opens this service's v2 records without being configured for them.
  const subjectKeysTopic = deps.config.subjectKeys.enabled ? deps.config.subjectKeys.topic : null;
  return {
    async login({ body }, { remoteAddress }) {
      // A refusal here is not audited (nobody is identified yet, and a flood of forged requests must
      // not fill the journal); the admin listener logs it, rate-limited, with the client's address.
      const identity = await deps.signIn.verifyLogin(body, remoteAddress);
      const roles = deps.signIn.rolesOf(identity.arn);
      const facts = actorFacts(identity.arn);
      if (roles.length === 0) {
        await deps.audit.record({ action: 'login', actor: identity.arn, target, outcome: 'denied', details: { code: ADMIN_ERRORS.noRole } });
        throw adminError(
          ADMIN_ERRORS.noRole,
          403,
          `your AWS identity (account ${identity.account}, ${facts.kind}${facts.role ? ` ${facts.role}` : ''}) is genuine but mapped to no admin role on this server; ask an admin to add it to admin.aws.roles`,
          { details: { account: identity.account, kind: facts.kind, role: facts.role } },
        );
      }
      const { token, expiresAt } = await deps.signIn.issue(identity);
      await deps.audit.record({ action: 'login', actor: identity.arn, target, outcome: 'success', details: { roles } });
      return {
        token,
        identity: { arn: identity.arn, account: identity.account, roles },
        permissions: permissionsOf(roles),
        via: 'aws' as const,
        expiresAt: new Date(expiresAt).toISOString(),
        serverId: deps.admin.serverId ?? null,
        subjectKeysTopic,
      };
    },
    async session(_req, { principal }) {
      const p = principal!;
      return {
        identity: { arn: p.arn, account: p.account, roles: p.roles },
        permissions: permissionsOf(p.roles),
        via: p.via,
        expiresAt: p.expiresAt === null ? null : new Date(p.expiresAt).toISOString(),
        serverId: deps.admin.serverId ?? null,
        subjectKeysTopic,
      };
    },
  };
}
