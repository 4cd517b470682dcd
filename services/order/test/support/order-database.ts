/** A fresh order database per test file, cloned from the template `pnpm test` migrates. */
import { cloneServiceDatabase } from '../../../../scripts/databases.ts';

export const createOrderDatabase = () => cloneServiceDatabase('order');
