import { KubeError } from '../kube/errors';

type Labels = Readonly<Record<string, string>> | undefined;

/**
 * A label selector as kubectl's `-l` takes it (`app=web,tier!=db,env in (prod,staging),!canary,release`), matched
 * on our side against the labels the watch cache keeps. Throws a KubeError of kind 'invalid' saying what is wrong.
 */
export function parseLabelSelector(text: string): (labels: Labels) => boolean {
  const terms = splitTerms(text.trim());
  const tests = terms.map((term) => parseTerm(term.trim(), text));
  return (labels) => tests.every((test) => test(labels));
}

function splitTerms(text: string): string[] {
  if (text.length === 0) return [];
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  out.push(current);
  return out;
}

const KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]{0,315}[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/;

function checked(key: string, values: readonly string[], whole: string): void {
  if (!KEY.test(key)) throw invalid(whole, `"${key}" is not a label key`);
  for (const v of values) if (!VALUE.test(v)) throw invalid(whole, `"${v}" is not a label value`);
}

function invalid(whole: string, why: string): KubeError {
  return new KubeError('invalid', `The label selector "${whole}" is not valid: ${why}`);
}

function parseTerm(term: string, whole: string): (labels: Labels) => boolean {
  if (term.length === 0) throw invalid(whole, 'it has an empty term');
  const set = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term);
  if (set) {
    const key = set[1]!;
    const values = set[3]!.split(',').map((v) => v.trim());
    checked(key, values, whole);
    const inSet = set[2] === 'in';
    return (labels) => {
      const actual = labels?.[key];
      return inSet ? actual !== undefined && values.includes(actual) : actual === undefined || !values.includes(actual);
    };
  }
  const equality = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (equality) {
    const key = equality[1]!;
    const value = equality[3]!;
    checked(key, [value], whole);
    return equality[2] === '!=' ? (labels) => labels?.[key] !== value : (labels) => labels?.[key] === value;
  }
  if (term.startsWith('!')) {
    const key = term.slice(1).trim();
    checked(key, [], whole);
    return (labels) => labels?.[key] === undefined;
  }
  checked(term, [], whole);
  return (labels) => labels?.[term] !== undefined;
}
