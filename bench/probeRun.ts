// Runs a probe (an extension-test entry next to a test-host manifest, see buildProbe in activation.ts) in a fresh
// code-server with the packaged .vsix installed, and returns the JSON the probe wrote to `out`.
import { existsSync, readFileSync } from 'node:fs';
import { launchBrowser, startCodeServer, testPayloadUrl, type CodeServer } from '../scripts/lib/codeServer.mjs';

export interface ProbeRun {
  readonly vsix: string;
  readonly probe: { host: string; entry: string };
  /** An empty folder to open (nothing in it activates the extension). */
  readonly workspace: string;
  /** Where the probe writes its result; it is also passed to the probe in `env`. */
  readonly out: string;
  readonly env: Record<string, string | undefined>;
  readonly timeoutMs: number;
  /** For the error message: "the activation probe". */
  readonly what: string;
}

export async function runProbeInCodeServer<T>(run: ProbeRun): Promise<T> {
  let server: CodeServer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  try {
    server = await startCodeServer({ workspace: run.workspace, env: run.env, extensionsToInstall: [run.vsix] });
    browser = await launchBrowser();
    const { page } = browser;
    let exited: (code: number) => void = () => {};
    const exit = new Promise<number>((r) => (exited = r));
    await page.exposeFunction('codeAutomationExit', (code: unknown) => exited(Number(code ?? 0)));
    await page.goto(
      testPayloadUrl(server, {
        folder: run.workspace,
        extensionDevelopmentPath: run.probe.host,
        extensionTestsPath: run.probe.entry,
      }),
      { waitUntil: 'domcontentloaded', timeout: 60_000 },
    );
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exit,
      new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), run.timeoutMs))),
    ]);
    clearTimeout(timer);
    if (code !== 0 || !existsSync(run.out)) {
      const log = readFileSync(server.logFile, 'utf8').split('\n').slice(-20).join('\n');
      throw new Error(`${run.what} failed (${code}); code-server log tail:\n${log}`);
    }
    return JSON.parse(readFileSync(run.out, 'utf8')) as T;
  } finally {
    await browser?.close();
    await server?.stop();
  }
}
