export * from './fulfilment.module';
export * from './order-fulfilment';
export * from './handoff/order-handoff.reactor';
export * from './handoff/fulfilment-job';
export * from './provisioning/reservation-provisioner';
export * from './provisioning/simulated-azure-provisioner';
