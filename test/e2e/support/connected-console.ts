// The console as the end-to-end tests drive it: the real renderer in Debian Chromium (Playwright) over the test
// bridge (the same Node side Electron runs), connected to the real broker and signed in to a real ingest service.
// Each e2e test used to repeat these steps; they live here once.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { startBridge, type Bridge, type BridgeOptions } from '../../../electron/bridge/http-bridge.js';
import type { AdminTestService } from '../../ingest-service/admin/support.js';

export const CHROMIUM = '/usr/bin/chromium';
/** Chromium is there: the e2e suites skip (saying why in their title) when it is not. */
export const HAS_CHROMIUM = existsSync(CHROMIUM);
/** Appended to a suite's title: why it is skipped, or nothing. */
export const CHROMIUM_NOTE = HAS_CHROMIUM ? '' : ' (skipped: /usr/bin/chromium is missing, apt-get install -y chromium)';

/** One AWS profile written to the console's shared config and credentials files. */
export interface AwsProfile {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** An AWS profile `auditor` whose KMS and STS do not answer: an identity that opens nothing, and says why. */
export const AUDITOR_UNREACHABLE: NonNullable<ConsoleOptions['aws']> = {
  profiles: { auditor: { region: 'eu-west-1', accessKeyId: 'AKIDAUDITOR', secretAccessKey: 'not-a-secret' } },
  kmsEndpoint: 'http://127.0.0.1:1',
  stsEndpoint: 'http://127.0.0.1:1',
};

export interface ConsoleOptions {
  /** `buildBridgeRenderer()`'s folder (tests build it while their service starts). */
  rendererDir: string;
  /** The console's settings at start (local keys folder, keys topic...). */
  settings?: BridgeOptions['settings'];
  /** AWS profiles the console's identity picker and service sign-in offer, and where KMS / STS answer. */
  aws?: { profiles: Record<string, AwsProfile>; kmsEndpoint: string; stsEndpoint: string };
  viewport?: { width: number; height: number };
  /** Playwright's default timeout for this page (its own default when absent). */
  timeoutMs?: number;
}

export interface ConsoleUnderTest {
  bridge: Bridge;
  browser: Browser;
  page: Page;
  /** Page errors and console errors, as they happen. */
  problems: string[];
  close(): Promise<void>;
}

/** Writes the profiles to an AWS config and credentials file in a temporary folder. */
function writeAwsFiles(profiles: Record<string, AwsProfile>): { dir: string; configFile: string; credentialsFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sp-e2e-aws-'));
  const configFile = join(dir, 'config');
  const credentialsFile = join(dir, 'credentials');
  const entries = Object.entries(profiles);
  writeFileSync(configFile, entries.map(([name, p]) => `[profile ${name}]\nregion = ${p.region}\n`).join(''));
  writeFileSync(
    credentialsFile,
    entries
      .map(([name, p]) => `[${name}]\naws_access_key_id = ${p.accessKeyId}\naws_secret_access_key = ${p.secretAccessKey}\n${p.sessionToken ? `aws_session_token = ${p.sessionToken}\n` : ''}`)
      .join(''),
  );
  return { dir, configFile, credentialsFile };
}

/** Starts the test bridge and Chromium on it, the page open on the console's first screen. */
export async function openConsole(opts: ConsoleOptions): Promise<ConsoleUnderTest> {
  const aws = opts.aws ? writeAwsFiles(opts.aws.profiles) : undefined;
  const bridge = await startBridge({
    rendererDir: opts.rendererDir,
    ...(opts.settings ? { settings: opts.settings } : {}),
    ...(aws && opts.aws ? { identities: { configFile: aws.configFile, credentialsFile: aws.credentialsFile, kmsEndpoint: opts.aws.kmsEndpoint, stsEndpoint: opts.aws.stsEndpoint } } : {}),
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
  const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1600, height: 1000 } });
  if (opts.timeoutMs !== undefined) page.setDefaultTimeout(opts.timeoutMs);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await page.goto(bridge.url);
  return {
    bridge,
    browser,
    page,
    problems,
    async close() {
      await browser.close();
      await bridge.close();
      if (aws) rmSync(aws.dir, { recursive: true, force: true });
    },
  };
}

/** Connects to the brokers on the first screen and waits for the topic list. */
export async function connectBrokers(page: Page, brokers: string[]): Promise<void> {
  await page.getByTestId('conn-brokers').fill(brokers.join(','));
  await page.getByTestId('conn-submit').click();
  await page.getByTestId('topics-grid').waitFor();
}

/** Signs in to the service on the Ingest service page with its local admin token, and waits for who-am-I. */
export async function signInWithToken(page: Page, svc: AdminTestService): Promise<void> {
  await page.getByTestId('nav-service').click();
  await page.getByTestId('service-url').fill(svc.admin.url);
  await page.getByTestId('service-auth-token').check();
  await page.getByTestId('service-token').fill(svc.admin.localToken!.token);
  await page.getByTestId('service-connect').click();
  await page.locator(`[data-testid="whoami"][data-service="${svc.admin.url}"]`).waitFor();
}

/**
 * The connected console most e2e tests start from: bridge and Chromium, connected to the brokers, and (with
 * `service`) signed in to that service with its local admin token, left on the Ingest service page.
 */
export async function startConnectedConsole(opts: ConsoleOptions & { brokers: string[]; service?: AdminTestService }): Promise<ConsoleUnderTest> {
  const c = await openConsole(opts);
  try {
    await connectBrokers(c.page, opts.brokers);
    if (opts.service) await signInWithToken(c.page, opts.service);
    return c;
  } catch (err) {
    await c.close();
    throw err;
  }
}
