import { createHash } from 'node:crypto';
import {
  BadRequestException,
  ForbiddenException,
  Body,
  ConflictException,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
  Query,
  Res,
  UnprocessableEntityException,
  type OnModuleInit,
} from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, Caller, mayActAt, type Principal } from '@fil/auth';
import { ID_MESSAGE, ID_PATTERN, ReceiveReturnDto, RequestReturnDto, Topics } from '@fil/contracts';
import { MessageConsumer } from '@fil/messaging';
import { ListReturnsQuery } from './dto/list-returns.query';
import { ReceiveReturnBody } from './dto/receive-return.dto';
import { RequestReturnBody } from './dto/request-return.dto';
import { ReturnView } from './dto/return.view';
import { ReturnConflict, ReturnRefused } from './return.errors';
import { ReturnsService } from './returns.service';

@ApiTags('returns')
@Controller('returns')
export class ReturnsController implements OnModuleInit {
  constructor(
    private readonly service: ReturnsService,
    private readonly consumer: MessageConsumer,
  ) {}

  onModuleInit() {
    this.consumer.on(Topics.returnsRequested, (message, em) => this.service.handleRequested(message, em));
  }

  @Post()
  @Access('admin', 'ops', 'staff', 'channel')
  @ApiOperation({
    summary: 'Request a return of delivered or collected lines within the return window',
    description: "Staff take returns at their counter: expected at one of their locations, by default their only one; another location's is a 403.",
  })
  @ApiBody({ type: RequestReturnBody })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Without a returnId: the same key from the same caller is the same return (a double click or a retry makes one), up to 100 characters' })
  @ApiResponse({ status: 201, type: ReturnView, description: 'Return requested' })
  @ApiResponse({ status: 200, type: ReturnView, description: 'Same returnId and content as an earlier request: that return' })
  @ApiResponse({ status: 403, description: 'Staff naming a location other than their own' })
  @ApiResponse({ status: 404, description: 'reason UNKNOWN_ORDER: returns has not seen this order' })
  @ApiResponse({ status: 409, description: 'returnId already used for a different return' })
  @ApiResponse({ status: 422, description: '{reason, message}: the rule the request breaks' })
  async request(
    @Body() body: RequestReturnDto,
    @Caller() caller: Principal,
    @Res({ passthrough: true }) res: { status(code: number): unknown },
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    body.returnId ??= idempotencyKey === undefined ? undefined : returnIdFor(caller, idempotencyKey);
    if (caller.role === 'staff') body.locationId ??= caller.locations!.length === 1 ? caller.locations![0] : undefined;
    if (body.locationId && !mayActAt(caller, body.locationId)) throw new ForbiddenException('this token may not take returns at that location');
    const { ret, created } = await this.service.request(body, caller).catch(asHttpError);
    if (!created) res.status(HttpStatus.OK);
    return ReturnView.of(ret);
  }

  @Post(':id/receive')
  @HttpCode(HttpStatus.OK)
  @Access('admin', 'staff')
  @ApiOperation({
    summary: 'Receive and inspect a return at a location: restocks resellable units and refunds once',
    description: 'Any warehouse, or any store with a counter (pickup); staff only at their own locations. RESELLABLE units go back to stock there, DAMAGED ones are written off, NOT_RETURNED ones are not refunded.',
  })
  @ApiBody({ type: ReceiveReturnBody })
  @ApiResponse({ status: 400, description: 'Invalid body, e.g. a locationId that is not a plain id' })
  @ApiResponse({ status: 200, type: ReturnView, description: 'Received and refunded (or the same receipt again)' })
  @ApiResponse({ status: 404, description: 'No such return' })
  @ApiResponse({ status: 409, description: 'Already received differently, or rejected' })
  @ApiResponse({ status: 422, description: '{reason, message}: a line is not on the return or exceeds it (SKU_NOT_ON_RETURN, QUANTITY_EXCEEDED), or the location cannot receive returns (UNKNOWN_LOCATION, LOCATION_CANNOT_RECEIVE)' })
  async receive(@Param('id') id: string, @Body() body: ReceiveReturnDto, @Caller() staff: Principal): Promise<ReturnView> {
    // Location ids travel in Kafka keys (`locationId:sku`), so they must be plain tokens.
    if (!ID_PATTERN.test(body.locationId)) throw new BadRequestException(`locationId ${ID_MESSAGE}`);
    // Before the return is looked up: staff learn nothing of returns they may not receive.
    if (!mayActAt(staff, body.locationId)) throw new ForbiddenException('this token may not receive returns at that location');
    return ReturnView.of(await this.service.receive(id, body, staff).catch(asHttpError));
  }

  @Get()
  @Access('admin', 'ops', 'staff')
  @ApiOperation({
    summary: "A location's returns, oldest first, at most 100",
    description: 'At a location: returns received there, or not received yet and expected there (the request named it). Staff see their own locations only: without locationId, all of them; naming another one is a 403.',
  })
  @ApiResponse({ status: 200, type: [ReturnView] })
  @ApiResponse({ status: 400, description: 'An unknown status, or a locationId that is not a plain id' })
  async list(@Query() query: ListReturnsQuery, @Caller() caller: Principal): Promise<ReturnView[]> {
    return (await this.service.list(query, caller)).map(ReturnView.of);
  }

  @Get(':id')
  @Access('admin', 'ops', 'staff', 'channel')
  @ApiOperation({ summary: 'A return with its status, lines, inspection and refund', description: "Staff see one not received yet (any store may receive it) or received at their locations; another store's is answered as unknown." })
  @ApiResponse({ status: 200, type: ReturnView })
  @ApiResponse({ status: 404, description: "No such return, or one the token may not see (another channel's, another store's once received)" })
  async get(@Param('id') id: string, @Caller() caller: Principal): Promise<ReturnView> {
    return ReturnView.of(await this.service.get(id, caller));
  }
}

function asHttpError(error: unknown): never {
  if (error instanceof ReturnRefused) {
    const body = { reason: error.reason, message: error.message };
    throw error.reason === 'UNKNOWN_ORDER' ? new NotFoundException(body) : new UnprocessableEntityException(body);
  }
  if (error instanceof ReturnConflict) throw new ConflictException(error.message);
  throw error;
}

/** A returnId of the caller's own for an Idempotency-Key: another caller's same key is another return. */
function returnIdFor(caller: Principal, key: string): string {
  if (!key.length || key.length > 100) throw new BadRequestException('Idempotency-Key must hold 1 to 100 characters');
  return `idem-${createHash('sha256').update(`${caller.role}\n${caller.sub}\n${key}`).digest('hex').slice(0, 40)}`;
}
