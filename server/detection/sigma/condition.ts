/**
 * Sigma condition expressions: `and`, `or`, `not`, parentheses, `1 of x*`, `all of x*`, `them`.
 * Parsed once when a rule loads; identifiers and patterns are resolved against the rule's search
 * identifiers here so an unknown name is an error at load time, not a silent non-match later.
 */
export type ConditionNode =
  | { op: 'id'; name: string }
  | { op: 'and' | 'or'; args: ConditionNode[] }
  | { op: 'not'; arg: ConditionNode }
  | { op: 'of'; quantifier: 'one' | 'all'; pattern: string; names: string[] };

export class ConditionError extends Error {}

interface Token {
  text: string;
  column: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(/[()]|[^\s()]+/g)) tokens.push({ text: m[0], column: m.index + 1 });
  return tokens;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

/** Parses one condition string; `identifiers` are the rule's search-identifier names. */
export function parseCondition(text: string, identifiers: readonly string[]): ConditionNode {
  const tokens = tokenize(text);
  let pos = 0;
  const known = new Set(identifiers);

  const peek = (): string | undefined => tokens[pos]?.text.toLowerCase();
  const where = (): string => {
    const t = tokens[pos];
    return t ? `"${t.text}" at column ${t.column}` : 'end of condition';
  };

  function parseOr(): ConditionNode {
    const args = [parseAnd()];
    while (peek() === 'or') {
      pos++;
      args.push(parseAnd());
    }
    return args.length === 1 ? args[0]! : { op: 'or', args };
  }

  function parseAnd(): ConditionNode {
    const args = [parseNot()];
    while (peek() === 'and') {
      pos++;
      args.push(parseNot());
    }
    return args.length === 1 ? args[0]! : { op: 'and', args };
  }

  function parseNot(): ConditionNode {
    if (peek() === 'not') {
      pos++;
      return { op: 'not', arg: parseNot() };
    }
    return parsePrimary();
  }

  function parsePrimary(): ConditionNode {
    const token = tokens[pos];
    if (!token) throw new ConditionError(`unexpected end of condition`);
    const word = token.text.toLowerCase();
    if (word === '(') {
      pos++;
      const inner = parseOr();
      if (peek() !== ')') throw new ConditionError(`expected ")" but found ${where()}`);
      pos++;
      return inner;
    }
    if ((word === '1' || word === 'all') && tokens[pos + 1]?.text.toLowerCase() === 'of') {
      pos += 2;
      const target = tokens[pos];
      if (!target || target.text === '(' || target.text === ')') {
        throw new ConditionError(`expected a search-identifier pattern or "them" but found ${where()}`);
      }
      pos++;
      // `them` skips `_`-prefixed identifiers by convention (spec: "1/all of them").
      const names =
        target.text.toLowerCase() === 'them'
          ? identifiers.filter((n) => !n.startsWith('_'))
          : identifiers.filter((n) => globToRegExp(target.text).test(n));
      if (names.length === 0) {
        throw new ConditionError(`"${token.text} of ${target.text}" matches no search identifier`);
      }
      return { op: 'of', quantifier: word === '1' ? 'one' : 'all', pattern: target.text, names };
    }
    if (['and', 'or', ')', 'of'].includes(word)) throw new ConditionError(`unexpected ${where()}`);
    if (!known.has(token.text)) throw new ConditionError(`unknown identifier "${token.text}"`);
    pos++;
    return { op: 'id', name: token.text };
  }

  if (tokens.length === 0) throw new ConditionError('empty condition');
  const node = parseOr();
  if (pos < tokens.length) throw new ConditionError(`unexpected ${where()}`);
  return node;
}
