import { Body, Controller, Get, HttpCode, Put } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, Caller, type Principal } from '@fil/auth';
import { PolicyDocumentBody } from './dto/routing-policy.document';
import { RoutingPolicies } from './routing-policies.service';

@ApiTags('routing')
@Controller('routing/policies')
export class RoutingPoliciesController {
  constructor(private readonly policies: RoutingPolicies) {}

  @Get()
  @Access('admin', 'ops')
  @ApiOperation({ summary: 'The routing policy in use and the versions before it' })
  @ApiResponse({ status: 200, description: '{current, history}: each {version, document, createdBy, createdAt}; history newest first, at most 100' })
  async list() {
    const history = await this.policies.history();
    return { current: history[0], history };
  }

  @Put()
  @HttpCode(201)
  @Access('admin', 'ops')
  @ApiOperation({ summary: 'A new routing policy document: stored as the next version, used by the next order routed' })
  @ApiResponse({ status: 201, description: 'The stored version: {version, document, createdBy, createdAt}' })
  @ApiResponse({ status: 400, description: 'An invalid document, with the reasons; the current version stays' })
  publish(@Body() document: PolicyDocumentBody, @Caller() caller: Principal) {
    return this.policies.publish(document, caller.sub);
  }
}
