import { compileFilterRegex, MAX_FILTER_REGEX_LENGTH } from './filter-regex';

const refusal = (source: string) => {
  try {
    compileFilterRegex(source);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

describe('filter regexes', () => {
  it.each([
    '^(OrderPlaced|OrderCancelled|Cart\\$Created)$',
    '^refund-ledger-[\\w-]+$',
    '^(orders|carts)-\\d+$',
    '^\\$ce-',
    '(a+)?b',
    '(a|b)?c',
    '(a+){1}',
    '(ab){2}c',
    '\\(a+\\)+',
    '[(a+)]+',
    '[\\]+]+x',
    '(?<kind>order|cart)-x',
    '(?:abc)+',
    'a{2,}b',
  ])('accepts %s', (source) => {
    expect(refusal(source)).toBeUndefined();
  });

  it.each([
    ['^(a+)+$', 'a nested quantifier'],
    ['((a+))+', 'a nested quantifier'],
    ['(?:a+){2,}', 'a nested quantifier'],
    ['([a-z]+)*', 'a nested quantifier'],
    ['(a{2,})+', 'a nested quantifier'],
    ['(a+?)+?', 'a nested quantifier'],
    ['(x(a+)y)*', 'a nested quantifier'],
    ['(?=a+)+', 'a nested quantifier'],
    ['^(a|a)*$', 'an alternation inside a repeated group'],
    ['(x(a|b))+', 'an alternation inside a repeated group'],
    ['(a|aa){3}', 'an alternation inside a repeated group'],
    ['^(a*)\\1$', 'a back-reference'],
    ['^(?<x>a*)\\k<x>$', 'a back-reference'],
  ])('refuses %s: %s', (source, shape) => {
    expect(refusal(source)).toBe(`Regex filter refused: ${shape}, which can backtrack exponentially`);
  });

  it('refuses a pattern past the length limit, and one that does not compile', () => {
    expect(refusal('a'.repeat(MAX_FILTER_REGEX_LENGTH))).toBeUndefined();
    expect(refusal('a'.repeat(MAX_FILTER_REGEX_LENGTH + 1))).toBe(
      `Regex filter refused: longer than ${MAX_FILTER_REGEX_LENGTH} characters`,
    );
    expect(refusal('^(a')).toMatch(/^Regex filter refused: Invalid regular expression/);
  });
});
