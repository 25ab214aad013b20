/** The committed WordNet taxonomy (models/imagenet-taxonomy.json), read once at import. */
import taxonomyJson from '../../models/imagenet-taxonomy.json' with { type: 'json' };

export interface TaxonomyEntry {
  lemmas: string[];
  hypernyms: string[];
}

const classes = taxonomyJson.classes as Record<string, TaxonomyEntry>;

export function taxonomyOf(wnid: string): TaxonomyEntry | undefined {
  return classes[wnid];
}

export function taxonomySize(): number {
  return Object.keys(classes).length;
}
