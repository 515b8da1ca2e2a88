import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, Caller, type Principal } from '@fil/auth';
import { ApiEmptyBody, EmptyBody } from '@fil/platform';
import { DeadLetterView, RedriveView } from './dto/dead-letter.view';
import { ListDeadLettersQuery } from './dto/list-dead-letters.query';
import { DeadLettersService } from './dead-letters.service';

/** What `npm run dlq -- list | redrive` does, for ops in the console (docs/reliability.md). */
@ApiTags('dead-letters')
@Controller('dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @Get()
  @Access('admin', 'ops')
  @ApiOperation({ summary: 'The messages the services could not accept (fil.dlq.v1), newest first, with the reason and whether they were re-sent from here' })
  @ApiResponse({ status: 200, type: [DeadLetterView] })
  @ApiResponse({ status: 400, description: 'A limit outside 1-1000' })
  @ApiResponse({ status: 503, description: 'The broker could not be read (with the reason)' })
  list(@Query() query: ListDeadLettersQuery): Promise<DeadLetterView[]> {
    return this.deadLetters.list(query.limit ?? 100);
  }

  @Post(':id/redrive')
  @HttpCode(200)
  @Access('admin', 'ops')
  @ApiOperation({ summary: 'Send the original message again to its topic, once: the service that refused it handles it once (fix the cause first)' })
  @ApiResponse({ status: 200, type: RedriveView })
  @ApiResponse({ status: 400, description: 'An id that is not partition:offset' })
  @ApiResponse({ status: 404, description: 'No dead letter with this id' })
  @ApiResponse({ status: 409, description: 'Already re-sent from here, saying when and by whom' })
  @ApiResponse({ status: 503, description: 'The broker did not take the message (nothing recorded: may be tried again)' })
  @ApiEmptyBody()
  redrive(@Param('id') id: string, @Body() _body: EmptyBody, @Caller() caller: Principal): Promise<RedriveView> {
    return this.deadLetters.redrive(id, caller);
  }
}
