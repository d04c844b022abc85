import { describe, expect, it } from 'vitest';
import { opDef, registeredOpTypes } from './builtin';

describe('op registry', () => {
  it('builders look definitions up by name; an unregistered name is an error naming it', () => {
    expect(opDef('MatMul').type).toBe('MatMul');
    expect(() => opDef('MatMull')).toThrow(/op type 'MatMull' is not registered/);
  });

  it('loading ops/builtin registers every op the builders name', () => {
    const types = registeredOpTypes();
    for (const t of ['Add', 'Neg', 'Sum', 'ArgMax', 'Cast', 'Fill', 'Conv2D', 'MaxPoolGrad', 'OneHot', 'RandomUniform', 'Unreduce']) {
      expect(types).toContain(t);
    }
  });
});
