// The built-in probe set that int8 fidelity is measured on: queries with documents of ordinary and multilingual text.

/** One probe query and the documents ranked against it. */
export interface ProbeQuery {
  query: string;
  documents: string[];
}

const DOCUMENTS_PER_QUERY = 16;

// Ten topics, each with two queries (English and another language) and sentences in several languages.
const TOPICS: ReadonlyArray<{ queries: [string, string]; sentences: string[] }> = [
  {
    queries: ['how do I reset my router password', 'Wie setze ich das Passwort meines Routers zurück?'],
    sentences: [
      'Hold the reset button on the back of the router for ten seconds until the lights blink.',
      'The default password is printed on a sticker under the device.',
      'Nach dem Zurücksetzen gelten wieder die Werkseinstellungen des Herstellers.',
      'Log in to the admin page at 192.168.1.1 and choose a new wireless key.',
      'Si le routeur ne redémarre pas, débranchez-le pendant une minute.',
      'Firmware updates sometimes change where the password settings live.',
    ],
  },
  {
    queries: ['symptoms of iron deficiency', 'síntomas de la falta de hierro'],
    sentences: [
      'Fatigue, pale skin and shortness of breath are common signs of low iron.',
      'La anemia ferropénica puede causar uñas frágiles y dolor de cabeza.',
      'Doctors usually confirm it with a blood test measuring ferritin.',
      'Red meat, lentils and spinach are good dietary sources of iron.',
      'Vitamin C taken with meals helps the body absorb more iron.',
      'Eisenmangel tritt bei Schwangeren und Kindern besonders häufig auf.',
    ],
  },
  {
    queries: ['best time to visit Kyoto', '京都を訪れるのに最適な季節'],
    sentences: [
      'Spring brings cherry blossoms along the Philosopher’s Path in early April.',
      '秋になると嵐山の紅葉がとても美しいです。',
      'Summer in Kyoto is hot and humid, with festivals such as Gion Matsuri.',
      'Winter is quiet and cold, and the temples are far less crowded.',
      'Book hotels months ahead if you plan to travel during Golden Week.',
      'Le Pavillon d’or est particulièrement photogénique sous la neige.',
    ],
  },
  {
    queries: ['python list comprehension example', 'exemple de compréhension de liste en Python'],
    sentences: [
      'squares = [x * x for x in range(10)] builds a list of the first ten squares.',
      'A condition can filter items: [w for w in words if len(w) > 3].',
      'Les compréhensions imbriquées parcourent plusieurs séquences à la fois.',
      'Generator expressions use parentheses and produce values lazily.',
      'Dictionary comprehensions map keys to values in a single expression.',
      'Readable code sometimes prefers an explicit for loop instead.',
    ],
  },
  {
    queries: ['lost black umbrella on the bus', 'потерял чёрный зонт в автобусе'],
    sentences: [
      'Lost property from city buses is kept at the central depot for thirty days.',
      'Забытые вещи можно забрать в бюро находок с паспортом.',
      'Describe the umbrella, the route number and the time you travelled.',
      'A black folding umbrella with a wooden handle was handed in on Monday.',
      'Items not claimed within a month are donated to charity.',
      'The office is open on weekdays from nine to five.',
    ],
  },
  {
    queries: ['how to make sourdough starter', 'come preparare il lievito madre'],
    sentences: [
      'Mix equal weights of flour and water in a jar and leave it loosely covered.',
      'Ogni giorno butta metà dell’impasto e rinfrescalo con farina e acqua.',
      'After about a week the starter should double in size within six hours.',
      'Whole rye flour ferments faster than white wheat flour.',
      'A warm kitchen around 25 degrees speeds up the fermentation.',
      'Keep a mature starter in the fridge and feed it once a week.',
    ],
  },
  {
    queries: ['electric car battery lifespan', '电动汽车电池能用多久'],
    sentences: [
      'Most manufacturers guarantee the battery for eight years or 160,000 kilometres.',
      '电池容量会随着充电次数的增加而逐渐下降。',
      'Frequent fast charging and extreme heat shorten battery life.',
      'Keeping the charge between 20 and 80 percent reduces wear.',
      'Used batteries often find a second life in home energy storage.',
      'Die Reichweite im Winter ist wegen der Heizung deutlich geringer.',
    ],
  },
  {
    queries: ['symptoms of a cold versus the flu', 'différence entre rhume et grippe'],
    sentences: [
      'The flu usually starts suddenly with fever, chills and muscle aches.',
      'Un rhume provoque surtout le nez qui coule et des éternuements.',
      'Colds are milder and rarely cause serious complications.',
      'A yearly vaccine lowers the risk of catching the flu.',
      'Rest, fluids and time are the usual treatment for both.',
      'La fièvre au-delà de trois jours justifie une consultation.',
    ],
  },
  {
    queries: ['cheap flights from London to Lisbon', 'voos baratos de Londres para Lisboa'],
    sentences: [
      'Budget airlines fly from Gatwick, Luton and Stansted several times a day.',
      'Os preços costumam ser mais baixos às terças e quartas-feiras.',
      'Booking six to eight weeks ahead usually gives the best fares.',
      'Hand luggage only tickets avoid the extra checked bag fees.',
      'The flight takes about two hours and forty minutes.',
      'Lisbon airport is connected to the city centre by the metro red line.',
    ],
  },
  {
    queries: ['what is the capital of Australia', 'ما هي عاصمة أستراليا'],
    sentences: [
      'Canberra became the capital as a compromise between Sydney and Melbourne.',
      'كانبرا هي عاصمة أستراليا وتقع في إقليم العاصمة الأسترالية.',
      'Parliament House in Canberra opened in 1988.',
      'Sydney is the largest city but has never been the national capital.',
      'The city was designed by the architects Walter Burley Griffin and Marion Mahony Griffin.',
      'Lake Burley Griffin lies at the centre of the planned city.',
    ],
  },
];

/** A small deterministic generator (mulberry32), so every process probes with the same pairs. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Twenty queries with sixteen documents each (320 pairs): documents of one to five sentences, about a third on the
 * query's topic, some cut to a few words, so lengths run from a handful of tokens to about 128.
 */
export function probeQueries(): ProbeQuery[] {
  const next = random(1601);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const out: ProbeQuery[] = [];
  TOPICS.forEach((topic, t) => {
    for (const query of topic.queries) {
      const documents: string[] = [];
      for (let d = 0; d < DOCUMENTS_PER_QUERY; d++) {
        const own = d % 3 === 0;
        const count = 1 + Math.floor(next() * 5);
        const sentences = Array.from({ length: count }, () => pick((own ? topic : (TOPICS[(t + 1 + Math.floor(next() * 9)) % 10] ?? topic)).sentences));
        let text = sentences.join(' ');
        if (d % 5 === 4) text = text.split(' ').slice(0, 2 + Math.floor(next() * 4)).join(' ');
        documents.push(text);
      }
      out.push({ query, documents });
    }
  });
  return out;
}

/** The probe pairs flattened as score() takes them: query, document, query, document, ... */
export function probeTexts(queries: readonly ProbeQuery[]): string[] {
  return queries.flatMap((q) => q.documents.flatMap((d) => [q.query, d]));
}
