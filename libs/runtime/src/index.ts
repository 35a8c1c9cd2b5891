export { closeOnSignals } from './graceful-shutdown';
export { infrastructureModules } from './infrastructure';
