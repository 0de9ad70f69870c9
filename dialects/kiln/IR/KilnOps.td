//===- KilnOps.td - every kiln op ---------------------------*- tablegen -*-===//
// Aggregator: one .td per concept, included here for a single op list.
#ifndef KILN_IR_KILNOPS_TD
#define KILN_IR_KILNOPS_TD
include "kiln/IR/AttentionOps.td"
include "kiln/IR/ConvOps.td"
include "kiln/IR/NNOps.td"
include "kiln/IR/QuantOps.td"
#endif
