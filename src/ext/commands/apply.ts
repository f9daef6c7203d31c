import * as vscode from 'vscode';
import type { ApplyService } from '../apply/applyService';
import type { ChartOptions, RenderedManifests } from '../apply/renderedManifests';
import { Commands } from '../ids';
import type { CommandTable } from '../registerCommands';

type ApplyCommand =
  | typeof Commands.applyManifest
  | typeof Commands.applyManifestTo
  | typeof Commands.previewApply
  | typeof Commands.applyFromPreview
  | typeof Commands.deleteFromManifest
  | typeof Commands.kustomizeBuild
  | typeof Commands.validateKustomization
  | typeof Commands.renderChart
  | typeof Commands.validateChart
  | typeof Commands.previewChartUpgrade;

/** The file or folder a chart or kustomization command is about: the Explorer's item, else the active editor's file. */
function targetUri(arg: unknown): vscode.Uri | undefined {
  return arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
}

/**
 * The files a command is about: the Explorer's selection (the clicked item and the others selected), the
 * editor's file (editor title and context menus), or the active editor (palette).
 */
export function manifestUris(arg: unknown, selection: unknown): vscode.Uri[] {
  if (Array.isArray(selection) && selection.length > 0 && selection.every((u) => u instanceof vscode.Uri)) {
    return selection;
  }
  if (arg instanceof vscode.Uri) return [arg];
  const active = vscode.window.activeTextEditor?.document;
  if (active && active.uri.scheme === 'file') return [active.uri];
  if (active && active.uri.scheme === 'untitled') {
    throw new Error('Save the manifest to a file first, then apply it');
  }
  throw new Error('Open a YAML manifest, or right-click one in the Explorer, first');
}

/** The handlers of the apply commands, spread into the command table. */
export function applyCommands(apply: ApplyService, rendered: RenderedManifests): CommandTable<ApplyCommand> {
  return {
    [Commands.renderChart]: {
      title: 'rendering the chart',
      run: (arg, options) => rendered.showRenderedChart(targetUri(arg), chartOptions(options)),
    },
    [Commands.validateChart]: {
      title: 'validating the chart',
      run: async (arg, options) => {
        const result = await rendered.validateChart(targetUri(arg), chartOptions(options));
        const n = result.problems.length;
        void vscode.window.showInformationMessage(
          n === 0
            ? `Chart ${result.rendered.chartName} (release ${result.rendered.release}): no problems found in the rendered documents`
            : `Chart ${result.rendered.chartName}: ${n} problem${n === 1 ? '' : 's'}, shown on the templates (Problems view)`,
        );
        return result;
      },
    },
    [Commands.previewChartUpgrade]: {
      title: 'previewing the chart upgrade',
      run: (arg, options) => rendered.previewChartUpgrade(targetUri(arg), chartOptions(options)),
    },
    [Commands.validateKustomization]: {
      title: 'validating the kustomization',
      run: async (arg) => {
        const result = await rendered.validateKustomization(targetUri(arg));
        const n = result.problems.length;
        void vscode.window.showInformationMessage(
          n === 0
            ? 'Kustomization: no problems found in the built documents'
            : `Kustomization: ${n} problem${n === 1 ? '' : 's'}, shown on the source files (Problems view)`,
        );
        return result;
      },
    },
    [Commands.applyManifest]: {
      title: 'applying the manifest',
      run: (arg, selection) => apply.apply(manifestUris(arg, selection)),
    },
    [Commands.applyManifestTo]: {
      title: 'applying the manifest',
      run: async (arg, selection) => {
        const uris = manifestUris(arg, selection);
        const context = await apply.pickContext();
        return context ? apply.apply(uris, { context }) : undefined;
      },
    },
    [Commands.previewApply]: {
      title: 'previewing the apply',
      run: (arg, selection) => apply.preview(manifestUris(arg, selection)),
    },
    [Commands.applyFromPreview]: {
      title: 'applying the previewed manifest',
      run: (arg) => apply.applyFromPreview(arg instanceof vscode.Uri ? arg : undefined),
    },
    [Commands.kustomizeBuild]: {
      title: 'building the kustomization',
      run: async (arg) => {
        const target = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
        const folder = target && (await apply.kustomizationOf(target));
        if (!folder) throw new Error('Right-click a kustomization.yaml (or a folder holding one) first');
        // An untitled YAML document: the manifest editor validates it against the cluster's schemas.
        const doc = await vscode.workspace.openTextDocument({
          language: 'yaml',
          content: await apply.kustomizeBuild(folder),
        });
        await vscode.window.showTextDocument(doc, { preview: false });
        return doc;
      },
    },
    [Commands.deleteFromManifest]: {
      title: 'deleting the objects of the manifest',
      run: (arg, selection) => apply.deleteFromManifest(manifestUris(arg, selection)),
    },
  };
}

/** Scripts and tests pass the chart options as the second argument (VS Code passes the selection there). */
function chartOptions(arg: unknown): ChartOptions {
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) return {};
  return arg as ChartOptions;
}
