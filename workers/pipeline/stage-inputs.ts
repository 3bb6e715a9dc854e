// What each U-Net of a plan is fed besides x_t, prepared once before the loop: its text conditioning
// (guided or not), its ControlNet's conditioning and the reference pictures' embeddings.
import type { GenerateParams } from '../../shared/engine-api';
import type { StageInputs } from './denoise';
import { imageConditioning } from './image-fusion';
import type { PipelineContext } from './pipeline-context';
import type { GenerationPlan, StagePlan } from './plan';
import type { UNetStage } from './sampler';
import { conditioningFor } from './text-conditioning';

/** The text conditioning of each stage's U-Net and, where asked for, its ControlNet's (the base
 * U-Net's projection it was trained with; a second text output, cached per prompt like the first)
 * and the reference pictures' embeddings. */
export async function stageInputs(
  ctx: PipelineContext,
  plan: GenerationPlan,
  params: GenerateParams,
  withExtras: boolean,
): Promise<Partial<Record<UNetStage, StageInputs>>> {
  const out: Partial<Record<UNetStage, StageInputs>> = {};
  for (const [stage, stagePlan] of Object.entries(plan.stages) as [UNetStage, StagePlan][]) {
    const text = (context: { component: string; output: string }) =>
      conditioningFor(ctx, {
        prompt: params.prompt,
        negativePrompt: params.negativePrompt,
        guided: stagePlan.guided,
        textComponent: context.component,
        contextOutput: context.output,
        nullEmbedding: ctx.nullEmbedding,
      });
    const conditioning = await text(stagePlan.unet.context);
    const control =
      withExtras && params.control ? { conditioning: await text(stagePlan.controlNet!.context) } : undefined;
    const image =
      withExtras && params.fusion
        ? await imageConditioning(ctx.runner, stagePlan.imageAdapter!, params.fusion, conditioning.rows)
        : undefined;
    out[stage] = { conditioning, control, image };
  }
  return out;
}
