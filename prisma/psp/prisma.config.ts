import { serviceConfig } from '../config-factory.ts';

export default serviceConfig(import.meta.dirname);
