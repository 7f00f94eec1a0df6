import type { Policy, SourceRule } from './policy-schema.js';

/** A source rule made ready for the hot path: sets instead of arrays, computed once per policy. */
export interface CompiledRule {
  clear: ReadonlySet<string>;
  /** Paths under which the walk must descend (prefixes of clear and granted paths). */
  descend: ReadonlySet<string>;
  recipient: readonly string[];
  /** Department -> granted paths, or `all` for `*`. Departments granted nothing are absent. */
  grants: ReadonlyMap<string, readonly string[] | 'all'>;
  /** What becomes of a new event about a forgotten subject (SourceRule.forgotten). */
  forgotten: SourceRule['forgotten'];
}

/** The result of splitting one event: the clear part and, per department, its personal fields. */
export interface SplitResult {
  clear: Record<string, unknown>;
  /** Department -> (dotted path -> value). Only departments with at least one field appear. */
  sections: Map<string, Record<string, unknown>>;
  /** Every personal path found, whoever may read it. */
  personalPaths: string[];
}

function prefixes(path: string): string[] {
  const parts = path.split('.');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('.'));
  return out;
}

/** Compiles one rule. */
export function compileRule(rule: Omit<SourceRule, 'forgotten'> & Partial<Pick<SourceRule, 'forgotten'>>): CompiledRule {
  const descend = new Set<string>();
  const grants = new Map<string, readonly string[] | 'all'>();
  for (const p of rule.clear) for (const q of prefixes(p)) descend.add(q);
  for (const [dept, paths] of Object.entries(rule.grants)) {
    if (paths.length === 0) continue;
    if (paths.includes('*')) {
      grants.set(dept, 'all');
      continue;
    }
    grants.set(dept, paths);
    for (const p of paths) for (const q of prefixes(p)) descend.add(q);
  }
  return { clear: new Set(rule.clear), descend, recipient: rule.recipient, grants, forgotten: rule.forgotten ?? 'new-key' };
}

/** The rule for a source: by its id first, then by its kind. Undefined when the policy has neither. */
export function ruleFor(policy: Policy, sourceId: string, kind: string): SourceRule | undefined {
  return policy.rules[sourceId] ?? policy.rules[kind];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Sets an own property even for the key `__proto__` (a JSON field of that name is data, and plain
 * assignment would change the object's prototype instead, silently dropping the field).
 */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function setPath(target: Record<string, unknown>, parts: string[], value: unknown): void {
  let node = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i]!;
    let next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (!isPlainObject(next)) {
      next = {};
      setOwn(node, key, next);
    }
    node = next as Record<string, unknown>;
  }
  setOwn(node, parts[parts.length - 1]!, value);
}

function granted(path: string, paths: readonly string[]): boolean {
  for (const g of paths) if (path === g || path.startsWith(g + '.')) return true;
  return false;
}

/**
 * Splits an event into its clear part and per-department personal fields. The clear part is an
 * allowlist: any field the rule does not name as clear (custom args, fields a provider adds later)
 * is personal and goes only into sections, so a new field can never leak into the clear part.
 */
export function splitEvent(event: Record<string, unknown>, rule: CompiledRule): SplitResult {
  const clear: Record<string, unknown> = {};
  const sections = new Map<string, Record<string, unknown>>();
  const personalPaths: string[] = [];
  const walk = (node: Record<string, unknown>, prefix: string, parts: string[]): void => {
    for (const key of Object.keys(node)) {
      const value = node[key];
      const path = prefix ? `${prefix}.${key}` : key;
      const pathParts = [...parts, key];
      // A key that itself holds a dot ("mail.timestamp" as one field name) could pose as a nested
      // clear path: it is never clear and never descended, so it can only end up sealed.
      const plainKey = !key.includes('.');
      if (plainKey && rule.clear.has(path)) {
        setPath(clear, pathParts, value);
      } else if (plainKey && isPlainObject(value) && rule.descend.has(path)) {
        walk(value, path, pathParts);
      } else {
        personalPaths.push(path);
        for (const [dept, paths] of rule.grants) {
          if (paths === 'all' || granted(path, paths)) {
            let fields = sections.get(dept);
            if (!fields) {
              fields = {};
              sections.set(dept, fields);
            }
            setOwn(fields, path, value);
          }
        }
      }
    }
  };
  walk(event, '', []);
  return { clear, sections, personalPaths };
}

/** Reads a dotted path (numeric segments index arrays); undefined when any step is missing. */
export function getPath(event: unknown, path: string): unknown {
  let node: unknown = event;
  for (const part of path.split('.')) {
    if (Array.isArray(node) && /^\d+$/.test(part)) node = node[Number(part)];
    else if (isPlainObject(node)) node = node[part];
    else return undefined;
  }
  return node;
}

/** The recipient address of an event per its rule, lower-cased and trimmed; undefined when absent. */
export function recipientOf(event: Record<string, unknown>, rule: CompiledRule): string | undefined {
  for (const path of rule.recipient) {
    const v = getPath(event, path);
    if (typeof v === 'string' && v.trim()) return normaliseAddress(v);
  }
  return undefined;
}

/**
 * Normalises an address for the blind index: takes the part inside <...> when present
 * ("Bob <Bob@Example.com>"), trims and lower-cases, so the console's search finds every spelling.
 */
export function normaliseAddress(address: string): string {
  const m = /<([^>]+)>/.exec(address);
  return (m ? m[1]! : address).trim().toLowerCase();
}

/**
 * True when `address` is an e-mail address once normalised (local@domain, no spaces, one `@`): what the
 * forget call accepts, so a typo such as a bare name is refused with a 400 instead of forgetting a
 * subject nobody has. Deliberately lenient beyond that: whatever a provider sent is indexed as it came.
 */
export function isAddress(address: string): boolean {
  const a = normaliseAddress(address);
  return a.length >= 3 && a.length <= 320 && /^[^\s@]+@[^\s@]+$/.test(a);
}
