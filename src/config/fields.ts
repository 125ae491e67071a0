/** Reusable field schemas whose messages read "expected ..."; the formatter appends ", got <value>". */
import { z } from 'zod';

const msg = (expected: string) => ({ error: `expected ${expected}` });

export const positiveInt = () =>
  z.number(msg('a positive integer')).int(msg('a positive integer')).positive(msg('a positive integer'));
export const nonNegativeInt = () =>
  z.number(msg('a non-negative integer')).int(msg('a non-negative integer')).nonnegative(msg('a non-negative integer'));
export const positiveNumber = () =>
  z.number(msg('a positive number')).positive(msg('a positive number')).finite(msg('a positive number'));
export const nonNegativeNumber = () =>
  z.number(msg('a non-negative number')).nonnegative(msg('a non-negative number')).finite(msg('a non-negative number'));
export const fraction = () =>
  z.number(msg('a number in [0, 1)')).min(0, msg('a number in [0, 1)')).lt(1, msg('a number in [0, 1)'));
export const integer = () => z.number(msg('an integer')).int(msg('an integer'));
export const bool = () => z.boolean(msg('true or false'));
export const text = () => z.string(msg('a string')).min(1, msg('a non-empty string'));
export const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, msg(`one of ${values.join(' | ')}`));
export const listOf = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item, msg(`a list of ${what}`));
export const nonEmptyListOf = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item, msg(`a non-empty list of ${what}`)).min(1, msg(`a non-empty list of ${what}`));
