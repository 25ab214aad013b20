/**
 * The relative-import graph of the TypeScript sources, read with the compiler's own parser (so a
 * specifier in a comment or a string is never mistaken for an import), and the cycles in it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  from: string;
  to: string;
  /** 'static' (import/export ... from, import x = require), 'type' (erased at run time), 'dynamic' (import()). */
  kind: 'static' | 'type' | 'dynamic';
}

export interface ImportGraph {
  files: string[];
  edges: ImportEdge[];
  /** Relative specifiers that name no file: `file: specifier`. */
  unresolved: string[];
}

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', '.cache']);

export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(path.join(root, dir)).sort()) {
      if (SKIP_DIRS.has(name)) continue;
      const rel = path.posix.join(dir, name);
      if (statSync(path.join(root, rel)).isDirectory()) walk(rel);
      else if (/\.(ts|tsx|mts|cts)$/.test(name) && !name.endsWith('.d.ts')) out.push(rel);
    }
  };
  for (const d of dirs) {
    if (!existsSync(path.join(root, d))) continue;
    if (statSync(path.join(root, d)).isDirectory()) walk(d);
    else out.push(d);
  }
  return out;
}

/** NodeNext resolution of a relative specifier: './x.js' is './x.ts' on disk, a directory its index. */
function resolve(root: string, from: string, spec: string): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  const stem = base.replace(/\.(m|c)?js$/, '');
  const candidates = [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${stem}.cts`, `${base}/index.ts`];
  return candidates.find((c) => existsSync(path.join(root, c)) && statSync(path.join(root, c)).isFile());
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // import './side-effect.js'
  if (clause.isTypeOnly) return true;
  // `import { type A, type B } from` is erased too (verbatimModuleSyntax keeps the bare import only without names).
  const named = clause.namedBindings;
  return !clause.name && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

export function importGraph(root: string, files: readonly string[]): ImportGraph {
  const edges: ImportEdge[] = [];
  const unresolved: string[] = [];
  for (const file of files) {
    const text = readFileSync(path.join(root, file), 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    const add = (spec: string, kind: ImportEdge['kind']) => {
      if (!spec.startsWith('.')) return;
      const to = resolve(root, file, spec);
      if (!to) unresolved.push(`${file}: ${spec}`);
      else if (/\.(ts|tsx|mts|cts)$/.test(to)) edges.push({ from: file, to, kind });
    };
    const visit = (node: ts.Node) => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        add(node.moduleSpecifier.text, isTypeOnlyImport(node) ? 'type' : 'static');
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        add(node.moduleSpecifier.text, node.isTypeOnly ? 'type' : 'static');
      } else if (
        ts.isImportEqualsDeclaration(node) &&
        ts.isExternalModuleReference(node.moduleReference) &&
        ts.isStringLiteral(node.moduleReference.expression)
      ) {
        add(node.moduleReference.expression.text, 'static');
      } else if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments[0] &&
        ts.isStringLiteralLike(node.arguments[0])
      ) {
        add(node.arguments[0].text, 'dynamic');
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
        add(node.argument.literal.text, 'type');
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { files: [...files], edges, unresolved };
}

/**
 * Every cycle as one concrete path (a -> b -> ... -> a), one per strongly connected component
 * (Tarjan), over the edges `include` keeps.
 */
export function findCycles(graph: ImportGraph, include: (e: ImportEdge) => boolean = () => true): string[][] {
  const next = new Map<string, string[]>();
  for (const e of graph.edges) if (include(e)) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const strong = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (next.get(v) ?? []).includes(v)) components.push(component);
    }
  };
  for (const f of [...new Set([...graph.files, ...next.keys()])].sort()) if (!index.has(f)) strong(f);
  // One shortest cycle through each component's first file (breadth-first inside the component).
  return components.map((component) => {
    const members = new Set(component);
    const start = [...component].sort()[0];
    const parent = new Map<string, string>();
    const queue = [start];
    while (queue.length) {
      const v = queue.shift()!;
      for (const w of next.get(v) ?? []) {
        if (!members.has(w)) continue;
        if (w === start) {
          const cycle = [start];
          for (let u = v; u !== start; u = parent.get(u)!) cycle.splice(1, 0, u);
          return [...cycle, start];
        }
        if (!parent.has(w)) {
          parent.set(w, v);
          queue.push(w);
        }
      }
    }
    return [start, start];
  });
}
