// /validate (every rule), /validate/pods, /validate/policies and /mutate as a route module of the
// HTTPS server: bounded body, typed 4xx for input that is not an AdmissionReview, the decision
// turned into an AdmissionResponse.
import type { Context, Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { BulwarkError } from '../core/index.ts';
import type { RouteContext, RouteModule } from '../server/index.ts';
import type { AdmissionController, Decision } from './controller.ts';
import type { DecisionRecorder } from './ledger-sink.ts';
import type { AdmissionMetrics } from './metrics.ts';
import { encodePatch } from './patch.ts';
import { parseAdmissionReview, reviewResponse, type AdmissionRequest, type AdmissionResponse } from './review.ts';
import { readBoundedText } from '../server/body.ts';

export interface AdmissionRoutesOptions {
  controller: AdmissionController;
  metrics?: AdmissionMetrics;
  recorder?: DecisionRecorder;
  maxBodyBytes: number;
  ready?: () => boolean;
}

export function toResponse(uid: string, decision: Decision): AdmissionResponse {
  const response: AdmissionResponse = { uid, allowed: decision.allowed };
  if (!decision.allowed) response.status = { code: 403, reason: 'Forbidden', message: decision.message ?? 'refused by bulwark admission' };
  if (decision.warnings.length > 0) response.warnings = decision.warnings;
  if (Object.keys(decision.auditAnnotations).length > 0) response.auditAnnotations = decision.auditAnnotations;
  if (decision.allowed && decision.patch.length > 0) {
    response.patch = encodePatch(decision.patch);
    response.patchType = 'JSONPatch';
  }
  return response;
}

function problem(c: Context<{ Bindings: HttpBindings }>, status: 400 | 413 | 415 | 500, code: string, message: string): Response {
  return c.json({ error: { code, message } }, status);
}

export function admissionRoutes(options: AdmissionRoutesOptions): RouteModule {
  const { controller, metrics, recorder, maxBodyBytes } = options;
  const handle = (endpoint: 'validate' | 'mutate', rules: 'all' | 'pods' | 'policies' = 'all') => async (c: Context<{ Bindings: HttpBindings }>): Promise<Response> => {
    const started = performance.now();
    const done = (response: Response): Response => {
      metrics?.request(rules === 'all' ? endpoint : `${endpoint}/${rules}`, response.status, (performance.now() - started) / 1000);
      return response;
    };
    const type = c.req.header('content-type') ?? '';
    if (!type.toLowerCase().startsWith('application/json')) {
      return done(problem(c, 415, 'E_INPUT', `content-type must be application/json, not ${JSON.stringify(type)}`));
    }
    const body = await readBoundedText(c.env?.incoming ?? c.req.raw, maxBodyBytes);
    if (body === null) return done(problem(c, 413, 'E_TOO_LARGE', `request body is larger than ${maxBodyBytes} bytes`));
    let request: AdmissionRequest;
    try {
      request = parseAdmissionReview(body);
    } catch (error) {
      if (error instanceof BulwarkError) return done(problem(c, 400, error.code, error.message));
      throw error;
    }
    let decision: Decision;
    try {
      decision = endpoint === 'validate' ? await controller.validate(request, rules) : await controller.mutate(request);
    } catch (error) {
      // Each rule is guarded; reaching here is a bug in the pipeline itself. The API server applies
      // the webhook's failurePolicy to a 500.
      return done(problem(c, 500, 'E_INTERNAL', `admission failed: ${error instanceof Error ? error.message : String(error)}`));
    }
    // A dry run must leave no trace beyond metrics (sideEffects: None).
    if (recorder !== undefined && !request.dryRun) recorder.record(endpoint, request, decision);
    return done(c.body(reviewResponse(toResponse(request.uid, decision)), 200, { 'content-type': 'application/json' }));
  };
  return {
    name: 'admission',
    register(app: Hono<{ Bindings: HttpBindings }>, context: RouteContext): void {
      app.post('/validate', context.requireClientCertificate, handle('validate'));
      // One webhook per rule family, each with its own failurePolicy and rules (see install.ts).
      app.post('/validate/pods', context.requireClientCertificate, handle('validate', 'pods'));
      app.post('/validate/policies', context.requireClientCertificate, handle('validate', 'policies'));
      app.post('/mutate', context.requireClientCertificate, handle('mutate'));
    },
    ready: options.ready,
    close: recorder === undefined ? undefined : () => recorder.close(),
  };
}
