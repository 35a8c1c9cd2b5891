import { correction } from './usage-budget';

describe('the usage budget’s correction after a save', () => {
  it('counts what the save added beyond its hold, per day, and gives back what it did not add', () => {
    const held = new Map([
      [1, 10],
      [2, 5],
    ]);
    // Day 1 as held; day 2 had 2 records stored meanwhile by another batch; a record moved from day 3 to day 1.
    const added = new Map([
      [1, 11],
      [2, 3],
      [3, -1],
    ]);
    expect(correction(added, held)).toEqual(
      new Map([
        [1, 1],
        [2, -2],
        [3, -1],
      ]),
    );
  });

  it('is nothing when the save added what was held', () => {
    expect(correction(new Map([[1, 4]]), new Map([[1, 4]]))).toEqual(new Map());
  });
});
