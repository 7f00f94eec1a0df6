import type { PolicyInput } from '../../shared/policy/index.js';
import { DEFAULT_POLICY } from '../../shared/policy/index.js';

/** What each department past the default two reads: the support grant (a typical consumer's share). */
const EXTRA_GRANT = ['email', 'ip', 'useragent', 'url'];

/**
 * The N departments that seal a SendGrid event in the benchmarks (`--departments N`, 1 to 16): support
 * and security as in the default policy, then dept3, dept4... each reading EXTRA_GRANT. One list for
 * bench:seal and bench:ingest, so "cost of a department" means the same in both.
 */
export function benchDepartments(n: number): string[] {
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error(`--departments must be an integer from 1 to 16, got ${n}`);
  return ['security', 'support', ...Array.from({ length: 14 }, (_, i) => `dept${i + 3}`)].slice(0, n);
}

/** The default policy with its SendGrid rule sealing for exactly benchDepartments(n) (2 = the default policy itself). */
export function benchPolicy(n: number): PolicyInput {
  const names = new Set(benchDepartments(n));
  const base = DEFAULT_POLICY;
  const sendgrid = base.rules['sendgrid']!;
  const departments: PolicyInput['departments'] = { ...base.departments };
  const grants: Record<string, string[]> = {};
  for (const d of Object.keys(base.departments)) grants[d] = names.has(d) ? sendgrid.grants[d]! : [];
  for (const d of names) {
    if (base.departments[d]) continue;
    departments[d] = { keys: [{ local: d }], description: 'Benchmark department.' };
    grants[d] = EXTRA_GRANT;
  }
  return { ...base, departments, rules: { ...base.rules, sendgrid: { ...sendgrid, grants } } };
}
