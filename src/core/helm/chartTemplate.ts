import { isAbsolute } from 'node:path';
import { HelmCliError, namespaceProblem, releaseNameProblem } from './helmCli';

/**
 * Charts in the workspace: the argument array of `helm template`, and the way back from a line of its output to
 * the template that made it. `helm template` prints `# Source: <chart>/templates/<file>` above every document
 * it renders, which names the file for sure; the line inside that template is found by lining up the rendered
 * lines with the template's own (a best effort: a template is text, not YAML, so a loop, an `include` or a
 * `toYaml` has no line of its own).
 */

export interface TemplateRequest {
  /** The release name the chart is rendered for (`.Release.Name`). */
  readonly release: string;
  /** The chart's folder (holding Chart.yaml), an absolute path. */
  readonly chartDir: string;
  readonly namespace: string;
  /** A values file the user picked (absolute path); the chart's own values.yaml otherwise. */
  readonly valuesFile?: string;
}

function pathProblem(what: string, path: string): string | undefined {
  if (!path || /[\0\r\n]/.test(path)) return `${what} "${path}" cannot be passed to helm`;
  if (!isAbsolute(path)) return `${what} "${path}" is not an absolute path`;
  return undefined;
}

/** `helm template <release> <chart dir> --namespace=<ns> [--values=<file>]`, after every value is checked. */
export function templateArgs(request: TemplateRequest): string[] {
  const problem =
    releaseNameProblem(request.release) ??
    namespaceProblem(request.namespace) ??
    pathProblem('chart folder', request.chartDir) ??
    (request.valuesFile !== undefined ? pathProblem('values file', request.valuesFile) : undefined);
  if (problem) throw new HelmCliError(`Refusing to run helm template: ${problem}`, 'invalid');
  const args = ['template', request.release, request.chartDir, `--namespace=${request.namespace}`];
  if (request.valuesFile !== undefined) args.push(`--values=${request.valuesFile}`);
  return args;
}

export const HELM_NOT_INSTALLED_FOR_TEMPLATE =
  'helm is not installed (no helm on PATH and kubeWorkbench.helm.path is not set). Rendering a chart runs `helm template`: install helm 3 (https://helm.sh/docs/intro/install/) or set kubeWorkbench.helm.path, and try again. Nothing was rendered.';

// ── from rendered lines back to templates ─────────────────────────────────────────────────────────────────

/** One rendered document and the template it came from. */
export interface RenderedSource {
  /** As helm prints it: `<chart name>/templates/deployment.yaml` (a subchart: `<chart>/charts/<sub>/templates/…`). */
  readonly source: string;
  /** The path inside the chart folder: `templates/deployment.yaml`. */
  readonly file: string;
  /** 0-based line of the `# Source:` comment in the rendered text. */
  readonly commentLine: number;
  /** 0-based first and last (inclusive) line of the document's own text, after the comment. */
  readonly firstLine: number;
  readonly lastLine: number;
}

const SOURCE = /^# Source: (\S.*?)\s*$/;

/** The documents of `helm template` output with the template each came from. */
export function renderedSources(rendered: string): RenderedSource[] {
  const lines = rendered.split('\n');
  const out: RenderedSource[] = [];
  let current: { source: string; commentLine: number } | undefined;
  const close = (end: number): void => {
    if (!current) return;
    const slash = current.source.indexOf('/');
    out.push({
      source: current.source,
      file: slash >= 0 ? current.source.slice(slash + 1) : current.source,
      commentLine: current.commentLine,
      firstLine: current.commentLine + 1,
      lastLine: Math.max(current.commentLine, end),
    });
    current = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '---' || line.startsWith('--- ')) {
      close(i - 1);
      continue;
    }
    const m = SOURCE.exec(line);
    if (m) {
      close(i - 1);
      current = { source: m[1]!, commentLine: i };
    }
  }
  close(lines.length - 1);
  return out;
}

/** Where a rendered line was written in its template. */
export interface TemplateLocation {
  readonly file: string;
  /** 0-based line in the template. */
  readonly line: number;
  /**
   * `exact`: the template has this very line (no template code in it); `line`: a template line with the same
   * literal text before its first `{{`; `near`: the nearest line above that could be placed (the rendered line
   * itself came from template code: an include, a loop, toYaml); `file`: only the file is known.
   */
  readonly confidence: 'exact' | 'line' | 'near' | 'file';
  /** 1-based line of the rendered text (to name when the template line is not exact). */
  readonly renderedLine: number;
}

function literalPrefix(templateLine: string): string | undefined {
  const at = templateLine.indexOf('{{');
  if (at < 0) return undefined;
  return templateLine.slice(0, at);
}

/**
 * Lines up the rendered lines of one document with its template's lines, in order (each rendered line takes the
 * next template line it can be, never one above the previous match). Returns, per rendered line, the template
 * line and how sure that is.
 */
export interface AlignedLine {
  readonly line: number;
  readonly confidence: 'exact' | 'line';
}

export function alignTemplate(
  renderedLines: readonly string[],
  templateLines: readonly string[],
): (AlignedLine | undefined)[] {
  const out: (AlignedLine | undefined)[] = [];
  let next = 0;
  for (const r of renderedLines) {
    const text = r.trimEnd();
    if (text.trim().length === 0) {
      out.push(undefined);
      continue;
    }
    let found: AlignedLine | undefined;
    for (let j = next; j < templateLines.length; j++) {
      const t = templateLines[j]!.trimEnd();
      const prefix = literalPrefix(t);
      if (prefix === undefined) {
        if (t === text) {
          found = { line: j, confidence: 'exact' };
          break;
        }
      } else if (prefix.trim().length > 0 && text.startsWith(prefix)) {
        found = { line: j, confidence: 'line' };
        break;
      }
    }
    out.push(found);
    if (found) next = found.line + 1;
  }
  return out;
}

/**
 * The template location of a 0-based line of `helm template` output. `readTemplate` gives a template's text by
 * its path in the chart (undefined when it cannot be read, e.g. a subchart packed as a .tgz).
 */
export function locateRenderedLine(
  rendered: string,
  renderedLine: number,
  readTemplate: (file: string) => string | undefined,
  sources: readonly RenderedSource[] = renderedSources(rendered),
): TemplateLocation | undefined {
  const doc = sources.find((s) => renderedLine >= s.commentLine && renderedLine <= s.lastLine);
  if (!doc) return undefined;
  const base = { file: doc.file, renderedLine: renderedLine + 1 };
  const template = readTemplate(doc.file);
  if (template === undefined || renderedLine <= doc.commentLine) return { ...base, line: 0, confidence: 'file' };
  const lines = rendered.split('\n').slice(doc.firstLine, doc.lastLine + 1);
  const aligned = alignTemplate(lines, template.split('\n'));
  const at = renderedLine - doc.firstLine;
  const hit = aligned[at];
  if (hit) return { ...base, line: hit.line, confidence: hit.confidence };
  for (let i = at - 1; i >= 0; i--) {
    const above = aligned[i];
    if (above) return { ...base, line: above.line, confidence: 'near' };
  }
  return { ...base, line: 0, confidence: 'file' };
}
