// Seeded generators of ordinary English text pairs for tests and benchmarks (no data files needed).

import { Prng } from '../../models/prng';

export type TextPair = [string, string];

/** The five example pairs of the seed model card's usage example (shared/reference/seed-model-card.md). */
export const MODEL_CARD_PAIRS: readonly TextPair[] = [
  [
    'The item is a promotional display featuring a variety of phone cases, including solid blue cases, cases with artistic designs, and one showcasing a kitten wearing a Santa hat.',
    'A black phone case.',
  ],
  [
    'It was a black umbrella with a loop.',
    'A new, mustard-yellow, waffle-knit long-sleeved henley shirt features a three-button placket, a chest pocket with a "Custom Supply" label, and an "L.O.G.G." tag at the neckline.',
  ],
  ['A white sneaker with black, pink, and silver accents.', 'A blue backpack has an orange and white front with black straps.'],
  [
    'Oh, that sleek white TYESO tumbler with the silver top, I was just about to try it out for keeping my coffee warm all day.',
    'It is a white, metal TYESO brand vacuum-insulated bottle/mug with a silver rim and a black lid with a clear straw.',
  ],
  [
    'It is a bright orange backpack with a small pink strawberry charm.',
    'The medium-sized black backpack, likely made of nylon or a similar synthetic material, features a white rectangular tag with "MUSIC IS POWER" printed on it and appears to be in good condition.',
  ],
];

const COLORS = [
  'black', 'white', 'navy blue', 'bright red', 'dark green', 'grey', 'silver', 'gold', 'beige', 'pale pink',
  'mustard-yellow', 'burgundy', 'teal', 'light brown', 'charcoal', 'cream', 'olive', 'lavender', 'orange', 'turquoise',
];
const MATERIALS = [
  'leather', 'canvas', 'nylon', 'stainless steel', 'plastic', 'cotton', 'wool', 'denim', 'suede', 'aluminum',
  'polyester', 'rubber', 'glass', 'bamboo', 'faux fur',
];
const ITEMS = [
  'backpack', 'wallet', 'umbrella', 'water bottle', 'phone case', 'scarf', 'jacket', 'sneaker', 'laptop sleeve',
  'tote bag', 'keychain', 'wristwatch', 'beanie', 'pair of sunglasses', 'travel mug', 'notebook', 'pencil case',
  'hoodie', 'glove', 'headphone case', 'lunch box', 'tumbler', 'duffel bag', 'card holder', 'baseball cap',
];
const BRANDS = ['TYESO', 'Herschel', 'Nike', 'Adidas', 'Hydro Flask', 'Casio', 'Fjallraven', 'Moleskine', 'Sony', 'Patagonia', 'Stanley', 'Levi\'s'];
const FEATURES = [
  'a zippered front pocket', 'two side pockets', 'a cracked corner', 'a small scratch near the logo',
  'a detachable strap', 'reflective stripes', 'a keyring attached to the handle', 'a faded sticker on the back',
  'a padded compartment', 'a magnetic clasp', 'white stitching along the edges', 'a broken zipper pull',
  'a leather tag with initials', 'a clear plastic window', 'a silver buckle', 'a drawstring hood',
  'a fleece lining', 'an adjustable chest strap', 'a carabiner clip', 'a pattern of tiny stars',
];
const CHARMS = [
  'a small pink strawberry charm', 'a tiny rubber duck', 'a name tag reading "{name}"', 'a bus pass in the pocket',
  'a sticker that says "{slogan}"', 'a hand-drawn smiley face', 'a faded concert wristband',
];
const NAMES = ['Maria', 'J. Chen', 'Oliver', 'Priya', 'Sam K.', 'Lukas', 'Amara', 'Tom', 'Yuki', 'Daniel'];
const SLOGANS = ['MUSIC IS POWER', 'Stay Wild', 'Coffee First', 'GO TEAM', 'Hello, World', 'Born to Run'];
const PLACES = [
  'the library on the second floor', 'Platform 4 at Central Station', 'the cafeteria near the east entrance',
  'Room 214', 'the bus stop on Maple Avenue', 'the gym locker room', 'the parking garage, level B2',
  'the front desk of the Hilton', 'Gate 17 at the airport', 'the park bench by the fountain',
  'the lecture hall', 'the lost and found office',
];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const CONDITIONS = ['in good condition', 'slightly worn', 'almost new', 'heavily used', 'a bit dusty', 'wet from the rain'];
const SIZES = ['small', 'medium-sized', 'large', 'compact', 'oversized', 'slim'];

function fill(rng: Prng, template: string): string {
  return template
    .replace('{name}', rng.pick(NAMES))
    .replace('{slogan}', rng.pick(SLOGANS));
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

function itemPhrase(rng: Prng): string {
  const parts: string[] = [];
  if (rng.chance(0.5)) parts.push(rng.pick(SIZES));
  parts.push(rng.pick(COLORS));
  if (rng.chance(0.6)) parts.push(rng.pick(MATERIALS));
  if (rng.chance(0.3)) parts.push(rng.pick(BRANDS));
  parts.push(rng.pick(ITEMS));
  const phrase = parts.join(' ');
  return `${article(phrase)} ${phrase}`;
}

function itemDescription(rng: Prng): string {
  const item = itemPhrase(rng);
  const feature = rng.pick(FEATURES);
  switch (rng.int(6)) {
    case 0:
      return `${capitalize(item)} with ${feature}.`;
    case 1:
      return `It is ${item} with ${feature} and ${fill(rng, rng.pick(CHARMS))}, ${rng.pick(CONDITIONS)}.`;
    case 2:
      return `Lost on ${rng.pick(DAYS)} around ${1 + rng.int(12)}:${rng.pick(['00', '15', '30', '45'])} ${rng.pick(['a.m.', 'p.m.'])}: ${item}, last seen near ${rng.pick(PLACES)}.`;
    case 3:
      return `Found ${item} at ${rng.pick(PLACES)}. It has ${feature}; please describe the contents to claim it.`;
    case 4:
      return `I left my ${rng.pick(COLORS)} ${rng.pick(ITEMS)} somewhere near ${rng.pick(PLACES)}, it has ${feature} and was worth about $${10 + rng.int(190)}.`;
    default:
      return `The item is ${item}, roughly ${5 + rng.int(40)} cm long, featuring ${feature} and ${rng.pick(FEATURES)}.`;
  }
}

/** Item-description pairs (lost/found reports), about 60 tokens per pair. */
export function shortPairs(n: number, seed: number): TextPair[] {
  const rng = new Prng(seed);
  const out: TextPair[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.chance(0.4) ? `${itemDescription(rng)} ${itemDescription(rng)}` : itemDescription(rng);
    out.push([a, itemDescription(rng)]);
  }
  return out;
}

interface Topic {
  subject: string;
  queries: readonly string[];
  facts: readonly string[];
}

const TOPICS: readonly Topic[] = [
  {
    subject: 'the Great Barrier Reef',
    queries: ['how big is the great barrier reef', 'what threatens coral reefs in Australia', 'best time to visit the Great Barrier Reef'],
    facts: [
      'stretches for over {n} kilometres along the coast of Queensland',
      'is made up of roughly 2,900 individual reefs and 900 islands',
      'has suffered mass bleaching events in {y} and several later summers',
      'is home to more than 1,500 species of fish',
      'can be seen from space, according to many travel guides',
    ],
  },
  {
    subject: 'sourdough bread',
    queries: ['how long does sourdough take to rise', 'why is my sourdough bread dense', 'sourdough starter feeding ratio'],
    facts: [
      'relies on wild yeast and lactic acid bacteria instead of commercial yeast',
      'usually needs a bulk fermentation of {h} to {h2} hours at room temperature',
      'develops its tangy flavour from acetic and lactic acids',
      'is often baked in a preheated Dutch oven at about 230 °C',
      'keeps fresh longer than most breads made with instant yeast',
    ],
  },
  {
    subject: 'the Python programming language',
    queries: ['what is python used for', 'python list vs tuple difference', 'who created the python language'],
    facts: [
      'was created by Guido van Rossum and first released in 1991',
      'is widely used for data analysis, web development and scripting',
      'uses indentation instead of braces to define code blocks',
      'reached version 3.{v} with improvements to error messages and speed',
      'has a package index with more than {k} thousand projects',
    ],
  },
  {
    subject: 'marathon training',
    queries: ['how many weeks to train for a marathon', 'what to eat before a long run', 'marathon taper schedule'],
    facts: [
      'typically takes {w} to 20 weeks for a first-time runner',
      'should include one long run per week, increasing by about 10 percent',
      'benefits from a two- or three-week taper before race day',
      'requires carbohydrates, fluids and electrolytes during runs over 90 minutes',
      'prepares runners for a distance of 42.195 km, or 26.2 miles',
    ],
  },
  {
    subject: 'photosynthesis',
    queries: ['what is the equation for photosynthesis', 'where does photosynthesis take place', 'why do leaves change color in autumn'],
    facts: [
      'converts carbon dioxide and water into glucose and oxygen using light energy',
      'takes place mainly in the chloroplasts of leaf cells',
      'depends on the green pigment chlorophyll, which absorbs red and blue light',
      'slows down in autumn, when chlorophyll breaks down and other pigments show',
      'produces most of the oxygen in Earth\'s atmosphere, together with ocean algae',
    ],
  },
  {
    subject: 'an electric car',
    queries: ['how long does it take to charge an electric car', 'electric car battery life', 'are EVs cheaper to maintain'],
    facts: [
      'can charge from 10 to 80 percent in about {m} minutes on a fast charger',
      'usually has a battery warranted for 8 years or 160,000 km',
      'needs fewer oil changes and brake repairs than a petrol car',
      'loses some range in cold weather, often between 10 and {p} percent',
      'belongs to a market that reached nearly one in five new car sales worldwide in {y}',
    ],
  },
  {
    subject: 'the French Revolution',
    queries: ['when did the french revolution start', 'causes of the French Revolution', 'what happened at the storming of the Bastille'],
    facts: [
      'began in 1789 with the meeting of the Estates-General',
      'was driven by debt, food shortages and anger at privilege',
      'saw the storming of the Bastille on 14 July 1789',
      'ended the monarchy of Louis XVI, who was executed in 1793',
      'inspired the Declaration of the Rights of Man and of the Citizen',
    ],
  },
  {
    subject: 'the snake plant',
    queries: ['how often should I water a snake plant', 'best low light indoor plants', 'why are my plant leaves turning yellow'],
    facts: [
      'only needs water every {w} weeks or so',
      'often turns yellow when the soil stays wet for too long',
      'tolerates low light well, much like pothos and ZZ plants',
      'benefits from a pot with drainage holes and a well-draining mix',
      'grows more slowly in winter and needs less fertilizer then',
    ],
  },
];

const PASSAGE_OPENERS = [
  '{S} {f}.', 'According to experts, {s} {f}.', 'Many people do not know that {s} {f}.',
  'In short, {s} {f}.', 'Research published in {y} shows that {s} {f}.',
];
const PASSAGE_LINKS = ['It also', 'In addition, it', 'Notably, it', 'Furthermore, it', 'Experts add that it', 'It'];
const ASIDES = [
  'This is one of the most common questions our readers send us.',
  'Figures were last checked in March {y} and may have changed since.',
  'See the FAQ section below for more details, or contact our team.',
  'Results vary, so treat these numbers as a rough guide only.',
  'We updated this article on {d} {y} after feedback from readers.',
  'Note: prices and times can differ by region (e.g. the US vs. the EU).',
];
const MONTHS = ['January', 'April', 'June', 'September', 'November'];

function fillNumbers(rng: Prng, text: string): string {
  return text
    .replace('{n}', (2000 + rng.int(400)).toLocaleString('en-US'))
    .replace('{y}', String(1998 + rng.int(27)))
    .replace('{h2}', String(8 + rng.int(6)))
    .replace('{h}', String(3 + rng.int(4)))
    .replace('{v}', String(8 + rng.int(6)))
    .replace('{k}', String(400 + rng.int(200)))
    .replace('{w}', String(2 + rng.int(12)))
    .replace('{m}', String(18 + rng.int(30)))
    .replace('{p}', String(20 + rng.int(20)))
    .replace('{d}', `${1 + rng.int(28)} ${rng.pick(MONTHS)}`);
}

function passage(rng: Prng, topic: Topic, sentences: number): string {
  const facts = [...topic.facts];
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) {
    const idx = rng.int(facts.length);
    const fact = fillNumbers(rng, facts[idx] as string);
    if (facts.length > 1) facts.splice(idx, 1);
    if (i === 0) {
      out.push(rng.pick(PASSAGE_OPENERS).replace('{S}', capitalize(topic.subject)).replace('{s}', topic.subject).replace('{f}', fact).replace('{y}', String(2005 + rng.int(20))));
    } else {
      out.push(`${rng.pick(PASSAGE_LINKS)} ${fact}.`);
    }
    if (rng.chance(0.25)) out.push(fillNumbers(rng, rng.pick(ASIDES)));
  }
  return out.join(' ');
}

/** Search-style query + passage pairs, about 130 tokens per pair; half the passages are off-topic. */
export function queryPassagePairs(n: number, seed: number): TextPair[] {
  const rng = new Prng(seed);
  const out: TextPair[] = [];
  for (let i = 0; i < n; i++) {
    const topic = rng.pick(TOPICS);
    let query = rng.pick(topic.queries);
    if (rng.chance(0.3)) query = `${capitalize(query)}?`;
    const passageTopic = rng.chance(0.5) ? topic : rng.pick(TOPICS);
    const first = passage(rng, passageTopic, 4 + rng.int(2));
    const text = rng.chance(0.6) ? `${first} ${passage(rng, passageTopic, 2 + rng.int(2))}` : first;
    out.push([query, text]);
  }
  return out;
}

/** The five model-card pairs first, then short and query-passage pairs alternating. */
export function ordinaryPairs(n: number, seed: number): TextPair[] {
  const out: TextPair[] = MODEL_CARD_PAIRS.slice(0, n).map(([a, b]) => [a, b]);
  const rest = n - out.length;
  const short = shortPairs(Math.ceil(rest / 2), seed);
  const long = queryPassagePairs(Math.floor(rest / 2), seed + 1);
  for (let i = 0; out.length < n; i++) {
    const s = short[i];
    if (s) out.push(s);
    const l = long[i];
    if (l && out.length < n) out.push(l);
  }
  return out;
}
