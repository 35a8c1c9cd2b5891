import { canonicalJson } from './canonical-json';

/** The examples of RFC 8785 (JSON Canonicalization Scheme), sections 3.2.2 and 3.2.3. */
describe('canonicalJson', () => {
  it('writes numbers, strings and literals as RFC 8785 does', () => {
    const input =
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}';
    expect(canonicalJson(JSON.parse(input))).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units, at every depth', () => {
    const input =
      '{"\\u20ac":1,"\\r":2,"\\ufb33":3,"1":4,"\\ud83d\\ude00":5,"\\u0080":6,"\\u00f6":{"b":[{"d":1,"c":2}],"a":0}}';
    const canonical = canonicalJson(JSON.parse(input));
    // Where each key stands in the text (JavaScript objects would put the integer-like "1" first).
    const at = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'].map((key) =>
      canonical.indexOf(`${JSON.stringify(key)}:`),
    );
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(at).not.toContain(-1);
    expect(canonical).toContain('"\u00f6":{"a":0,"b":[{"c":2,"d":1}]}');
  });
});
