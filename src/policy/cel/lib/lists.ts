// Kubernetes list library (k8s.io/apiserver/pkg/cel/library, "kubernetes.lists"): isSorted, sum,
// min, max, indexOf, lastIndexOf.
import { isCelUint, type CelFunc, type CelList, type CelValue } from '@bufbuild/cel';
import { charge } from '../budget.ts';
import { anyValue, isList, memberFn } from '../overload.ts';
import { addValues, compareValues, equalValues } from '../std.ts';

function items(list: CelValue): CelValue[] {
  const l = list as CelList;
  charge(l.size);
  return Array.from(l);
}

function isSummable(value: CelValue): boolean {
  if (typeof value === 'bigint' || typeof value === 'number' || isCelUint(value)) return true;
  const message = (value as { message?: { $typeName?: string } } | null)?.message;
  return message?.$typeName === 'google.protobuf.Duration';
}

export const listFunctions: CelFunc[] = [
  memberFn('isSorted', isList, [], (list) => {
    const values = items(list);
    for (let i = 1; i < values.length; i++) if (compareValues(values[i - 1]!, values[i]!) > 0) return false;
    // A single element is sorted, but it must still be of a comparable kind.
    if (values.length === 1) compareValues(values[0]!, values[0]!);
    return true;
  }),
  memberFn('sum', isList, [], (list) => {
    const values = items(list);
    // An empty list of unknown element type sums to int 0, as the API server's dyn overload does.
    if (values.length === 0) return 0n;
    let total: CelValue = values[0]!;
    if (!isSummable(total)) throw new Error('no such overload: sum() applies to lists of int, uint, double or duration');
    for (let i = 1; i < values.length; i++) {
      if (!isSummable(values[i]!)) throw new Error('no such overload: sum() applies to lists of int, uint, double or duration');
      total = addValues(total, values[i]!);
    }
    return total;
  }),
  memberFn('min', isList, [], (list) => extreme(items(list), 'min', -1)),
  memberFn('max', isList, [], (list) => extreme(items(list), 'max', 1)),
  memberFn('indexOf', isList, [anyValue], (list, item) => {
    const values = items(list);
    for (let i = 0; i < values.length; i++) if (equalValues(values[i]!, item!)) return BigInt(i);
    return -1n;
  }),
  memberFn('lastIndexOf', isList, [anyValue], (list, item) => {
    const values = items(list);
    for (let i = values.length - 1; i >= 0; i--) if (equalValues(values[i]!, item!)) return BigInt(i);
    return -1n;
  }),
];

function extreme(values: CelValue[], name: string, prefer: number): CelValue {
  if (values.length === 0) throw new Error(`${name} called on empty list`);
  let best = values[0]!;
  if (values.length === 1) compareValues(best, best);
  for (let i = 1; i < values.length; i++) {
    // Keep the first of equal elements, as the API server does.
    if (compareValues(values[i]!, best) === prefer) best = values[i]!;
  }
  return best;
}
