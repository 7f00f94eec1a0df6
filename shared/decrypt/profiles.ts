import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** How a profile gets its credentials, so the picker can say "SSO" or "role" next to the name. */
export type ProfileKind = 'sso' | 'assume-role' | 'static' | 'process' | 'web-identity' | 'unknown';

/** One AWS profile, as the console's profile picker shows it. Never carries a secret. */
export interface ProfileInfo {
  name: string;
  kind: ProfileKind;
  region?: string;
  /** Role the profile assumes (assume-role), or `account/role` for SSO. */
  role?: string;
  /** SSO start URL, so the picker can show which portal `aws sso login` will open. */
  ssoStartUrl?: string;
  /** Files the profile appears in. */
  sources: Array<'config' | 'credentials'>;
}

/** Where the shared files are, honouring AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE like the CLI. */
export function sharedFilePaths(env: NodeJS.ProcessEnv = process.env): { configFile: string; credentialsFile: string } {
  const home = env.HOME || env.USERPROFILE || homedir();
  return {
    configFile: env.AWS_CONFIG_FILE || join(home, '.aws', 'config'),
    credentialsFile: env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'),
  };
}

type Sections = Map<string, Record<string, string>>;

/** A minimal INI reader for the AWS shared files (sections, key = value, # and ; comments, nested blocks skipped). */
export function parseIni(text: string): Sections {
  const out: Sections = new Map();
  let current: Record<string, string> | undefined;
  let nestedUnder: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s*[#;].*$/, '');
    if (!line.trim()) continue;
    const section = /^\s*\[([^\]]+)\]\s*(?:[#;].*)?$/.exec(line);
    if (section) {
      const name = section[1]!.trim();
      current = out.get(name) ?? {};
      out.set(name, current);
      nestedUnder = undefined;
      continue;
    }
    if (!current) continue;
    const indented = /^\s+/.test(line);
    const kv = /^\s*([^=]+?)\s*=\s*(.*?)\s*$/.exec(line);
    if (!kv) continue;
    if (indented && nestedUnder) continue; // e.g. `s3 =` sub-settings
    const [, key, value] = kv;
    if (value === '') nestedUnder = key;
    else {
      nestedUnder = undefined;
      current[key!] = value!;
    }
  }
  return out;
}

async function readIfExists(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EISDIR') return '';
    throw err;
  }
}

function kindOf(settings: Record<string, string>): ProfileKind {
  if (settings.sso_session || settings.sso_start_url || settings.sso_account_id) return 'sso';
  if (settings.role_arn && settings.web_identity_token_file) return 'web-identity';
  if (settings.role_arn) return 'assume-role';
  if (settings.credential_process) return 'process';
  if (settings.aws_access_key_id) return 'static';
  return 'unknown';
}

/**
 * The profiles of the shared config and credentials files (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE
 * respected), sorted by name with `default` first, for the console's profile picker. Reads names and
 * kinds only; secrets are never returned.
 */
export async function listProfiles(paths: Partial<{ configFile: string; credentialsFile: string }> = {}): Promise<ProfileInfo[]> {
  const defaults = sharedFilePaths();
  const config = parseIni(await readIfExists(paths.configFile ?? defaults.configFile));
  const credentials = parseIni(await readIfExists(paths.credentialsFile ?? defaults.credentialsFile));
  const profiles = new Map<string, { settings: Record<string, string>; sources: Set<'config' | 'credentials'> }>();
  const add = (name: string, settings: Record<string, string>, source: 'config' | 'credentials') => {
    const p = profiles.get(name) ?? { settings: {}, sources: new Set() };
    Object.assign(p.settings, settings);
    p.sources.add(source);
    profiles.set(name, p);
  };
  for (const [section, settings] of config) {
    if (section === 'default') add('default', settings, 'config');
    else if (section.startsWith('profile ')) add(section.slice('profile '.length).trim(), settings, 'config');
  }
  for (const [section, settings] of credentials) add(section, settings, 'credentials');
  const out: ProfileInfo[] = [];
  for (const [name, { settings, sources }] of profiles) {
    const kind = kindOf(settings);
    const sso = settings.sso_session ? config.get(`sso-session ${settings.sso_session}`) : undefined;
    const info: ProfileInfo = { name, kind, sources: [...sources].sort() };
    if (settings.region) info.region = settings.region;
    if (kind === 'assume-role' || kind === 'web-identity') info.role = settings.role_arn;
    if (kind === 'sso') {
      if (settings.sso_account_id || settings.sso_role_name) info.role = `${settings.sso_account_id ?? '?'}/${settings.sso_role_name ?? '?'}`;
      const url = settings.sso_start_url ?? sso?.sso_start_url;
      if (url) info.ssoStartUrl = url;
    }
    out.push(info);
  }
  return out.sort((a, b) => (a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name)));
}
