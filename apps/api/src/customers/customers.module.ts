import { Module } from '@nestjs/common';
import { PersonalDataModule } from '@app/personal-data';
import { AddSubscriptionHandler } from './add-subscription/add-subscription.command';
import { AddSubscriptionController } from './add-subscription/add-subscription.http';
import { ChangeSubscriptionStatusHandler } from './change-subscription-status/change-subscription-status.command';
import { ChangeSubscriptionStatusController } from './change-subscription-status/change-subscription-status.http';
import { CreateManagementGroupHandler } from './create-management-group/create-management-group.command';
import { CreateManagementGroupController } from './create-management-group/create-management-group.http';
import { MoveSubscriptionHandler } from './move-subscription/move-subscription.command';
import { MoveSubscriptionController } from './move-subscription/move-subscription.http';
import { ErasePersonalDataHandler } from './erase-personal-data/erase-personal-data.command';
import { ErasePersonalDataController } from './erase-personal-data/erase-personal-data.http';
import { GetContactController } from './get-contact/get-contact.http';
import { GetCustomerController } from './get-customer/get-customer.http';
import { ListCustomersController } from './list-customers/list-customers.http';
import { RecordContactHandler } from './record-contact/record-contact.command';
import { RecordContactController } from './record-contact/record-contact.http';
import { RegisterCustomerHandler } from './register-customer/register-customer.command';
import { RegisterCustomerController } from './register-customer/register-customer.http';

/** Customers, their subscriptions and management groups, and their contact person (kept outside the event store). */
@Module({
  imports: [PersonalDataModule],
  controllers: [
    RegisterCustomerController,
    AddSubscriptionController,
    ChangeSubscriptionStatusController,
    GetCustomerController,
    ListCustomersController,
    RecordContactController,
    GetContactController,
    ErasePersonalDataController,
    CreateManagementGroupController,
    MoveSubscriptionController,
  ],
  providers: [
    RegisterCustomerHandler,
    AddSubscriptionHandler,
    ChangeSubscriptionStatusHandler,
    RecordContactHandler,
    ErasePersonalDataHandler,
    CreateManagementGroupHandler,
    MoveSubscriptionHandler,
  ],
})
export class CustomersModule {}
