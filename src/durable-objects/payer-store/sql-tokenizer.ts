/**
 * A SQL tokenizer with SQLite's lexical rules (sqlite/src/tokenize.c), so that sql-guard.ts sees
 * the statement as SQLite will: which text is a string literal or a comment (never a name), and
 * which is an identifier, bare or quoted.
 *
 * Where this tokenizer and SQLite could disagree it errs towards refusing: a character SQLite would
 * take as part of an identifier is never skipped as whitespace here, and anything SQLite calls an
 * illegal token is a syntax error here too.
 */

export type SqlTokenKind =
  /** A bare identifier or keyword (`value`: its text). */
  | 'word'
  /** An identifier in "double quotes", `backticks` or [brackets] (`value`: the name, unquoted). */
  | 'quoted'
  /** A 'string literal' (`value`: its content, '' read as '). */
  | 'string'
  /** x'0a1b' (`value`: the hex digits). */
  | 'blob'
  | 'number'
  /** A bound parameter: ?, ?NNN, :name, @name, $name, #name (`value`: as written). */
  | 'parameter'
  /** Punctuation and operators: ( ) , . + - * / % || = == < <= ... -> ->> */
  | 'operator'
  | 'semicolon';

export interface SqlToken {
  kind: SqlTokenKind;
  value: string;
  /** Offsets of the token's first character and of the character after its last. */
  start: number;
  end: number;
}

export type TokenizeResult =
  | { ok: true; tokens: SqlToken[] }
  | { ok: false; message: string; offset: number };

/** SQLite's whitespace: space, \t, \n, \v, \f, \r (ASCII only; other characters are identifier text). */
const isSpace = (ch: string) => ch === ' ' || (ch >= '\t' && ch <= '\r');
const isDigit = (ch: string) => ch >= '0' && ch <= '9';
const isHexDigit = (ch: string) => /^[0-9a-fA-F]$/.test(ch);
/** SQLite's IdChar: letters, digits, `_`, `$`, and every non-ASCII character. */
const isIdChar = (ch: string) => /^[A-Za-z0-9_$]$/.test(ch) || ch.charCodeAt(0) >= 0x80;
const isIdStart = (ch: string) => /^[A-Za-z_]$/.test(ch) || ch.charCodeAt(0) >= 0x80;

const OPERATORS = [
  '->>',
  '->',
  '||',
  '==',
  '!=',
  '<>',
  '<=',
  '>=',
  '<<',
  '>>',
  '(',
  ')',
  ',',
  '.',
  '+',
  '-',
  '*',
  '/',
  '%',
  '=',
  '<',
  '>',
  '&',
  '|',
  '~',
];

export function tokenizeSql(sql: string): TokenizeResult {
  const tokens: SqlToken[] = [];
  let i = 0;
  const fail = (message: string, offset: number): TokenizeResult => ({
    ok: false,
    message,
    offset,
  });

  while (i < sql.length) {
    const ch = sql[i] as string;
    const next = sql[i + 1] ?? '';
    const start = i;

    if (isSpace(ch)) {
      i += 1;
      continue;
    }
    if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
      continue;
    }
    if (ch === '/' && next === '*') {
      // An unterminated block comment runs to the end of the text, as in SQLite.
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
      continue;
    }
    if (ch === ';') {
      i += 1;
      tokens.push({ kind: 'semicolon', value: ';', start, end: i });
      continue;
    }
    if ((ch === 'x' || ch === 'X') && next === "'") {
      const end = sql.indexOf("'", i + 2);
      const digits = end === -1 ? '' : sql.slice(i + 2, end);
      if (end === -1 || digits.length % 2 !== 0 || ![...digits].every(isHexDigit)) {
        return fail(
          'malformed blob literal: x followed by an even number of hex digits in quotes',
          start,
        );
      }
      i = end + 1;
      tokens.push({ kind: 'blob', value: digits, start, end: i });
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      // The quote character doubled stands for itself; there are no backslash escapes.
      let value = '';
      let j = i + 1;
      for (;;) {
        const end = sql.indexOf(ch, j);
        if (end === -1) {
          const what = ch === "'" ? 'string literal' : 'quoted identifier';
          return fail(`unterminated ${what} (no closing ${ch})`, start);
        }
        value += sql.slice(j, end);
        if (sql[end + 1] === ch) {
          value += ch;
          j = end + 2;
          continue;
        }
        i = end + 1;
        break;
      }
      tokens.push({ kind: ch === "'" ? 'string' : 'quoted', value, start, end: i });
      continue;
    }
    if (ch === '[') {
      const end = sql.indexOf(']', i + 1);
      if (end === -1) return fail('unterminated [identifier] (no closing ])', start);
      i = end + 1;
      tokens.push({ kind: 'quoted', value: sql.slice(start + 1, end), start, end: i });
      continue;
    }
    if (isDigit(ch) || (ch === '.' && isDigit(next))) {
      i = scanNumber(sql, i);
      if (i < sql.length && isIdChar(sql[i] as string)) {
        while (i < sql.length && isIdChar(sql[i] as string)) i += 1;
        return fail(`unrecognized token "${sql.slice(start, i)}"`, start);
      }
      tokens.push({ kind: 'number', value: sql.slice(start, i), start, end: i });
      continue;
    }
    if (ch === '?') {
      i += 1;
      while (i < sql.length && isDigit(sql[i] as string)) i += 1;
      tokens.push({ kind: 'parameter', value: sql.slice(start, i), start, end: i });
      continue;
    }
    if (ch === ':' || ch === '@' || ch === '$' || ch === '#') {
      i += 1;
      while (i < sql.length && isIdChar(sql[i] as string)) i += 1;
      if (i === start + 1) return fail(`unrecognized token "${ch}"`, start);
      tokens.push({ kind: 'parameter', value: sql.slice(start, i), start, end: i });
      continue;
    }
    if (isIdStart(ch)) {
      while (i < sql.length && isIdChar(sql[i] as string)) i += 1;
      tokens.push({ kind: 'word', value: sql.slice(start, i), start, end: i });
      continue;
    }
    const operator = OPERATORS.find((op) => sql.startsWith(op, i));
    if (operator) {
      i += operator.length;
      tokens.push({ kind: 'operator', value: operator, start, end: i });
      continue;
    }
    return fail(`unrecognized token "${ch}"`, start);
  }
  return { ok: true, tokens };
}

/** Past a numeric literal: 0x hex, or digits with an optional fraction and exponent (and _ separators). */
function scanNumber(sql: string, from: number): number {
  let i = from;
  if (
    sql[i] === '0' &&
    (sql[i + 1] === 'x' || sql[i + 1] === 'X') &&
    isHexDigit(sql[i + 2] ?? '')
  ) {
    i += 2;
    while (i < sql.length && (isHexDigit(sql[i] as string) || sql[i] === '_')) i += 1;
    return i;
  }
  const digits = () => {
    while (i < sql.length && (isDigit(sql[i] as string) || sql[i] === '_')) i += 1;
  };
  digits();
  if (sql[i] === '.') {
    i += 1;
    digits();
  }
  if (
    (sql[i] === 'e' || sql[i] === 'E') &&
    (isDigit(sql[i + 1] ?? '') || /[+-]/.test(sql[i + 1] ?? ''))
  ) {
    i += sql[i + 1] === '+' || sql[i + 1] === '-' ? 2 : 1;
    digits();
  }
  return i;
}

/** ASCII case folding, as SQLite compares identifiers and keywords. */
export function foldCase(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
