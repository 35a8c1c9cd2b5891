export { closeOnSignals } from './graceful-shutdown';
export { infrastructureModules } from './infrastructure';
export { isDependencyOutage } from './dependency-outage';
export { crashPoint } from './crash-point';
