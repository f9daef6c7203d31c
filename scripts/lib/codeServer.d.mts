// Types of the parts of codeServer.mjs that TypeScript code (bench/activation.ts) uses.
import type { BrowserContext, Page } from 'playwright-core';

export interface CodeServer {
  url: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  tmpDir: string;
  logFile: string;
  pid: number;
  stop(): Promise<void>;
}

export function startCodeServer(o?: {
  workspace?: string;
  env?: Record<string, string | undefined>;
  extensionsToInstall?: string[];
  settings?: Record<string, unknown>;
  verbose?: boolean;
  timeoutMs?: number;
}): Promise<CodeServer>;

export function launchBrowser(o?: {
  headless?: boolean;
  args?: string[];
  viewport?: { width: number; height: number };
  deviceScaleFactor?: number;
}): Promise<{ context: BrowserContext; page: Page; userDataDir: string; close(): Promise<void> }>;

export function testPayloadUrl(
  server: CodeServer,
  paths: { folder: string; extensionDevelopmentPath: string; extensionTestsPath: string },
): string;
