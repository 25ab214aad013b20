import { readFile } from 'node:fs/promises';
import { ModelContractError } from '../errors.js';
import type { ResolvedModel } from './resolved.js';

/** One ImageNet class: its first name ("tabby"), its WordNet id and the other names on its line. */
export interface ClassName {
  label: string;
  wnid: string;
  synonyms: string[];
}

const SYNSET_LINE = /^(n\d{8})\s+(.+)$/;

function splitNames(text: string): { label: string; synonyms: string[] } {
  const [label = '', ...synonyms] = text.split(',').map((s) => s.trim());
  return { label, synonyms: synonyms.filter(Boolean) };
}

function lines(text: string): string[] {
  const all = text.split(/\r?\n/);
  // A trailing newline is not one more class.
  while (all.length > 0 && all[all.length - 1].trim() === '') all.pop();
  return all;
}

/** True when every line is "wnid name, synonyms" (the zoo's synset.txt). */
export function isSynsetFormat(text: string): boolean {
  const ls = lines(text);
  return ls.length > 0 && ls.every((l) => SYNSET_LINE.test(l));
}

/** Parses "wnid name, synonyms" lines (class-index order). */
export function parseSynset(text: string, where: string): ClassName[] {
  return lines(text).map((line, i) => {
    const m = SYNSET_LINE.exec(line);
    if (!m) {
      throw new ModelContractError(`${where} line ${i + 1} is not "wnid name, synonyms": ${JSON.stringify(line)}.`);
    }
    return { wnid: m[1], ...splitNames(m[2]) };
  });
}

/**
 * Builds the table indexed by OUTPUT index (what the classifier's argmax gives). A labels file has
 * either one line per output (then the first labelOffset lines, e.g. "background", map to null) or one
 * line per ImageNet class (then output i is class i - labelOffset). Names-only files take their wnids
 * from the synset list by class index.
 */
export function buildLabelTable(
  labelsText: string,
  opts: { classes: number; labelOffset: number; synsetText?: string; where: string },
): Array<ClassName | null> {
  const { classes, labelOffset, where } = opts;
  const named = isSynsetFormat(labelsText);
  const rows = lines(labelsText);
  let perClass: string[];
  if (rows.length === classes) perClass = rows.slice(labelOffset);
  else if (rows.length === classes - labelOffset) perClass = rows;
  else {
    throw new ModelContractError(
      `${where} has ${rows.length} lines but the model has ${classes} outputs (label offset ${labelOffset}); ` +
        `expected ${classes} or ${classes - labelOffset} lines. Check that the labels file belongs to this model.`,
    );
  }

  let classNames: ClassName[];
  if (named) {
    classNames = parseSynset(perClass.join('\n'), where);
  } else {
    if (opts.synsetText === undefined) {
      throw new ModelContractError(`${where} holds names only, so its wnids must come from the ImageNet synset list, which was not resolved.`);
    }
    const synset = parseSynset(opts.synsetText, 'the ImageNet synset list');
    if (synset.length !== perClass.length) {
      throw new ModelContractError(`${where} names ${perClass.length} classes but the synset list has ${synset.length}; they cannot be paired by index.`);
    }
    classNames = perClass.map((line, i) => ({ wnid: synset[i].wnid, ...splitNames(line) }));
  }
  const table: Array<ClassName | null> = new Array<ClassName | null>(labelOffset).fill(null);
  return table.concat(classNames);
}

/** The resolved model's labels, indexed by output index (index 0 of a 1001-class model is null). */
export async function loadLabels(resolved: ResolvedModel): Promise<Array<ClassName | null>> {
  const labelsText = await readFile(resolved.labelsPath, 'utf8');
  const synsetText = resolved.synsetPath ? await readFile(resolved.synsetPath, 'utf8') : undefined;
  return buildLabelTable(labelsText, {
    classes: resolved.manifest.output.classes,
    labelOffset: resolved.manifest.output.labelOffset,
    synsetText,
    where: `Labels file ${resolved.labelsPath}`,
  });
}
