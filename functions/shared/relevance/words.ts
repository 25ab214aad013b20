/**
 * Word lists the relevance scorer and its index generator share: English function words (and words
 * every blog title uses that name no subject), and WordNet's morphy suffix rules (morphy(7WN)), which
 * with the exception lists in the committed index lemmatise as WordNet does.
 */

/** Suffix → replacement, tried in order for each part of speech (WordNet's morphy rules). */
export const MORPHY_RULES: Record<'n' | 'v' | 'a', ReadonlyArray<readonly [string, string]>> = {
  n: [
    ['s', ''],
    ['ses', 's'],
    ['xes', 'x'],
    ['zes', 'z'],
    ['ches', 'ch'],
    ['shes', 'sh'],
    ['men', 'man'],
    ['ies', 'y'],
  ],
  v: [
    ['s', ''],
    ['ies', 'y'],
    ['es', 'e'],
    ['es', ''],
    ['ed', 'e'],
    ['ed', ''],
    ['ing', 'e'],
    ['ing', ''],
  ],
  a: [
    ['er', ''],
    ['est', ''],
    ['er', 'e'],
    ['est', 'e'],
  ],
};

/**
 * Never a subject: function words, and the words of blog-title phrasing ("how to", "best", "guide",
 * "week") whose WordNet senses would otherwise reach a class by accident ("guide" is a person, "top" a
 * garment, "best" a verb).
 */
export const STOPWORDS: ReadonlySet<string> = new Set(
  `a about above across after again against all almost along also although always am among an and another any anyone anything are
around as at away back be because been before behind being below beneath beside besides best better between beyond both but by can
cannot could did do does doing done down during each either else enough even ever every few for from further get gets getting give
go goes going got had has have having he her here hers herself him himself his how however i if in inside into is it its itself
just least less let like made make makes making many may me might mine more most much must my myself near neither never new next no
none nor not nothing now of off often old on once one only onto or other others our ours ourselves out outside over own per
perhaps quite rather really same several shall she should since so some something sometimes still such than that the their theirs
them themselves then there these they this those though through throughout thus till to together too toward towards under
unless until up upon us use used using very via was we well were what whatever when where whether which while who whom whose why
will with within without would yet you your yours yourself yourselves
etc e.g eg i.e ie vs
guide guides tip tips way ways thing things lot lots kind kinds sort type types part parts first second third last top ten five
four three two six seven eight nine hundred thousand day days week weeks weekend month months year years time times today
tonight ultimate complete essential simple easy quick little big great good bad real true whole full half
look looks looking see seen watch find found know known learn learning lesson lessons story stories note notes
idea ideas reason reasons review reviews list post blog read reading start starting end ending try trying take taking
keep keeping need needs want wants say says said tell telling show showing
`
    .split(/\s+/)
    .filter(Boolean),
);
