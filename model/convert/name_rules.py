"""Name mapping from the ai-forever checkpoints to the diffusers names the modules use
(kandinsky3-architecture §3.2 for the U-Net, §4.4 for MoVQ), as ordered tables of templates.

A template is a key fragment with placeholders: `{X}` matches a number, `{X+1}` a number one above
X, `{L-X}` the number L − X (L: the last level index, known per model), and `*` any run of
characters carried over unchanged. One table serves both directions (original → diffusers, and back
to write synthetic original checkpoints for the tests), and every rule that fires is recorded, so a
test can show that none is unused and no key goes unmapped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

_PLACEHOLDER = re.compile(r"\{([A-Z])(?:([+-])(\d+))?\}|\{L-([A-Z])\}|\*")


@dataclass(frozen=True)
class Rule:
    original: str
    diffusers: str
    anchored: bool = False  # matches only at the start of a key


def _compile(template: str, anchored: bool) -> Tuple[re.Pattern, List[tuple]]:
    parts, slots, pos = [], [], 0
    for m in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[pos : m.start()]))
        if m.group(0) == "*":
            parts.append(r"(.*?)")
            slots.append(("*",))
        elif m.group(4):
            parts.append(r"(\d+)")
            slots.append(("L-", m.group(4)))
        else:
            parts.append(r"(\d+)")
            slots.append(("+", m.group(1), int(m.group(3) or 0) * (-1 if m.group(2) == "-" else 1)))
        pos = m.end()
    parts.append(re.escape(template[pos:]))
    start = "^" if anchored else r"(?:^|(?<=\.))"
    return re.compile(start + "".join(parts)), slots


def _render(template: str, values: Dict[str, int], stars: List[str], last: int) -> Optional[str]:
    out, pos, star = [], 0, 0
    for m in _PLACEHOLDER.finditer(template):
        out.append(template[pos : m.start()])
        if m.group(0) == "*":
            out.append(stars[star])
            star += 1
        elif m.group(4):
            out.append(str(last - values[m.group(4)]))
        else:
            offset = int(m.group(3) or 0) * (-1 if m.group(2) == "-" else 1)
            value = values[m.group(1)] + offset
            if value < 0:
                return None
            out.append(str(value))
        pos = m.end()
    out.append(template[pos:])
    return "".join(out)


def _apply(rule: Rule, key: str, forward: bool, last: int) -> Optional[str]:
    source, target = (rule.original, rule.diffusers) if forward else (rule.diffusers, rule.original)
    pattern, slots = _compile(source, rule.anchored)
    m = pattern.search(key)
    if not m:
        return None
    values: Dict[str, int] = {}
    stars: List[str] = []
    for slot, text in zip(slots, m.groups()):
        if slot[0] == "*":
            stars.append(text)
            continue
        number = int(text)
        value = last - number if slot[0] == "L-" else number - slot[2]
        if value < 0 or values.setdefault(slot[1], value) != value:
            return None
    replaced = _render(target, values, stars, last)
    return None if replaced is None else key[: m.start()] + replaced + key[m.end() :]


class NameMap:
    """An ordered rule table; `last` is the index of the model's last resolution level."""

    def __init__(self, name: str, rules: Sequence[Rule], last: int = 0) -> None:
        self.name = name
        self.rules = list(rules)
        self.last = last
        self.used: Set[int] = set()

    def to_diffusers(self, key: str) -> str:
        for i, rule in enumerate(self.rules):
            new = _apply(rule, key, True, self.last)
            if new is not None:
                self.used.add(i)
                key = new
        return key

    def to_original(self, key: str) -> str:
        for i in reversed(range(len(self.rules))):
            new = _apply(self.rules[i], key, False, self.last)
            if new is not None:
                key = new
        return key

    def unused(self) -> List[Rule]:
        return [rule for i, rule in enumerate(self.rules) if i not in self.used]


# kandinsky3-architecture §3.2: the ai-forever U-Net (and the fork's projection names) → diffusers Kandinsky3UNet.
UNET_RULES = [
    Rule("to_time_embed.1.", "time_embedding.linear_1.", anchored=True),
    Rule("to_time_embed.3.", "time_embedding.linear_2.", anchored=True),
    Rule("in_layer.", "conv_in.", anchored=True),
    Rule("out_layer.0.", "conv_norm_out.", anchored=True),
    Rule("out_layer.2.", "conv_out.", anchored=True),
    Rule("feature_pooling.", "add_time_condition.", anchored=True),
    Rule("down_samples.{X}.", "down_blocks.{X}.", anchored=True),
    Rule("up_samples.{X}.", "up_blocks.{X}.", anchored=True),
    Rule("self_attention_block.", "attentions.0."),
    Rule("resnet_attn_blocks.{N}.0.", "resnets_in.{N}."),
    Rule("resnet_attn_blocks.{N}.1.", "attentions.{N+1}."),
    Rule("resnet_attn_blocks.{N}.2.", "resnets_out.{N}."),
    Rule("to_query.", "to_q."),
    Rule("to_key.", "to_k."),
    Rule("to_value.", "to_v."),
    Rule("output_layer.", "to_out.0."),
]

# kandinsky3-architecture §3.2: the text projection, kept in a file of its own by 3.1 (a 2-module Sequential) and inside the
# U-Net dict by 3.0 (`projections.t5.*`).
PROJECTION_RULES = [
    Rule("0.", "encoder_hid_proj.projection_linear.", anchored=True),
    Rule("1.", "encoder_hid_proj.projection_norm.", anchored=True),
]
# The fork (`UNetKandi3`, which the official diffusers converter reads) keeps it inside the U-Net.
PROJECTION_FORK_RULES = [
    Rule("projection_lin.", "encoder_hid_proj.projection_linear.", anchored=True),
    Rule("projection_ln.", "encoder_hid_proj.projection_norm.", anchored=True),
]
PROJECTION_30_RULES = [
    Rule("projections.t5.0.", "encoder_hid_proj.projection_linear.", anchored=True),
    Rule("projections.t5.1.", "encoder_hid_proj.projection_norm.", anchored=True),
]

# kandinsky3-architecture §4.4: movq.pt → diffusers VQModel. Decoder levels count down in the original (`up.{L-X}`), and
# the encoder's norms are SpatialNorm wrappers there (`norm_layer` infix, stripped).
MOVQ_RULES = [
    Rule("encoder.down.{X}.block.{Y}.", "encoder.down_blocks.{X}.resnets.{Y}.", anchored=True),
    Rule("encoder.down.{X}.attn.{Y}.", "encoder.down_blocks.{X}.attentions.{Y}.", anchored=True),
    Rule("encoder.down.{X}.downsample.", "encoder.down_blocks.{X}.downsamplers.0.", anchored=True),
    Rule("decoder.up.{L-X}.block.{Y}.", "decoder.up_blocks.{X}.resnets.{Y}.", anchored=True),
    Rule("decoder.up.{L-X}.attn.{Y}.", "decoder.up_blocks.{X}.attentions.{Y}.", anchored=True),
    Rule("decoder.up.{L-X}.upsample.", "decoder.up_blocks.{X}.upsamplers.0.", anchored=True),
    Rule("mid.block_1.", "mid_block.resnets.0."),
    Rule("mid.attn_1.", "mid_block.attentions.0."),
    Rule("mid.block_2.", "mid_block.resnets.1."),
    Rule("encoder.norm_out.norm_layer.", "encoder.conv_norm_out.", anchored=True),
    Rule("decoder.norm_out.", "decoder.conv_norm_out.", anchored=True),
    Rule("nin_shortcut.", "conv_shortcut."),
    Rule("encoder.*.norm1.norm_layer.", "encoder.*.norm1.", anchored=True),
    Rule("encoder.*.norm2.norm_layer.", "encoder.*.norm2.", anchored=True),
    Rule("encoder.*attentions.{Y}.norm.norm_layer.", "encoder.*attentions.{Y}.group_norm.", anchored=True),
    Rule("decoder.*attentions.{Y}.norm.", "decoder.*attentions.{Y}.spatial_norm.", anchored=True),
    Rule("attentions.{Y}.q.", "attentions.{Y}.to_q."),
    Rule("attentions.{Y}.k.", "attentions.{Y}.to_k."),
    Rule("attentions.{Y}.v.", "attentions.{Y}.to_v."),
    Rule("attentions.{Y}.proj_out.", "attentions.{Y}.to_out.0."),
]

_MOVQ_ATTENTION_WEIGHT = re.compile(r"attentions\.\d+\.to_(q|k|v|out\.0)\.weight$")


def is_movq_attention_weight(diffusers_key: str) -> bool:
    """The original stores these as 1×1 convolutions (C, C, 1, 1); diffusers as linear (C, C)."""
    return bool(_MOVQ_ATTENTION_WEIGHT.search(diffusers_key))


def all_used(maps: Iterable[NameMap]) -> Dict[str, List[Rule]]:
    return {m.name: m.unused() for m in maps if m.unused()}
