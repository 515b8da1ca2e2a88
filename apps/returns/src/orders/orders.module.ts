import { Module } from '@nestjs/common';
import { ReturnsModule } from '../returns/returns.module';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({ imports: [ReturnsModule], controllers: [OrdersController], providers: [OrdersService] })
export class OrdersModule {}
