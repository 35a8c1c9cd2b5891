import { BoundedMap } from './bounded-map';

describe('BoundedMap', () => {
  it('forgets the oldest entries once the total weight passes the budget', () => {
    const map = new BoundedMap<string, string>(10, (value) => value.length);
    map.set('a', 'xxxx');
    map.set('b', 'xxxx');
    map.set('c', 'xxxx');
    expect([map.has('a'), map.has('b'), map.has('c')]).toEqual([false, true, true]);
  });

  it('keeps a replaced key in its place of arrival and counts only its new weight', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('a', 3);
    map.set('c', 4);
    expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([undefined, 2, 4]);
  });

  it('still answers after many evictions, when its queue has been compacted', () => {
    const map = new BoundedMap<number, number>(100);
    for (let i = 0; i < 10_000; i++) map.set(i, i);
    expect(map.has(9_899)).toBe(false);
    expect(map.get(9_900)).toBe(9_900);
    expect(map.get(9_999)).toBe(9_999);
  });
});
