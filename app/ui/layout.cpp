#include "ui/layout.hpp"

#include <algorithm>
#include <numeric>

namespace sockstep::ui {
namespace {

// The tiling as a tree: rows split left to right, columns top to bottom.
struct Node {
  bool row = false;
  int weight = 0;                     // index into LayoutWeights of this node in its parent
  std::optional<Panel> panel;         // a leaf
  std::vector<Node> children;
};

Node leaf(Panel panel, int weight) { return Node{false, weight, panel, {}}; }

const Node& tree() {
  static const Node root{
      true, 0, std::nullopt,
      {Node{false, 0, std::nullopt, {leaf(Panel::Lesson, 2), leaf(Panel::Steps, 3)}},
       Node{false, 1, std::nullopt,
            {Node{true, 4, std::nullopt, {leaf(Panel::Code, 7), leaf(Panel::Sequence, 8)}},
             leaf(Panel::Sockets, 5),
             Node{true, 6, std::nullopt,
                  {leaf(Panel::Bytes, 9), leaf(Panel::Console, 10), leaf(Panel::EventLog, 11)}}}}}};
  return root;
}

bool shown(const Node& node, const std::array<bool, kPanelCount>& visible) {
  if (node.panel) return visible[static_cast<std::size_t>(*node.panel)];
  return std::any_of(node.children.begin(), node.children.end(),
                     [&](const Node& child) { return shown(child, visible); });
}

ImVec2 minimum(const Node& node, const std::array<bool, kPanelCount>& visible, LayoutMetrics m) {
  if (node.panel) {
    const PanelSpec& spec = panel_spec(*node.panel);
    return ImVec2(spec.min_em * m.em, spec.min_lines * m.line);
  }
  ImVec2 out(0, 0);
  for (const Node& child : node.children) {
    if (!shown(child, visible)) continue;
    const ImVec2 c = minimum(child, visible, m);
    if (node.row) {
      out.x += c.x;
      out.y = std::max(out.y, c.y);
    } else {
      out.x = std::max(out.x, c.x);
      out.y += c.y;
    }
  }
  return out;
}

void place(const Node& node, ImVec2 pos, ImVec2 size, const std::array<bool, kPanelCount>& visible,
           const LayoutWeights& weights, LayoutMetrics m, Layout& out) {
  if (node.panel) {
    out.panels[static_cast<std::size_t>(*node.panel)] = PanelRect{pos, size};
    return;
  }
  std::vector<const Node*> parts;
  std::vector<float> w;
  std::vector<float> mins;
  for (const Node& child : node.children) {
    if (!shown(child, visible)) continue;
    parts.push_back(&child);
    w.push_back(std::max(0.001f, weights[static_cast<std::size_t>(child.weight)]));
    const ImVec2 min = minimum(child, visible, m);
    mins.push_back(node.row ? min.x : min.y);
  }
  const float total = node.row ? size.x : size.y;
  const std::vector<float> lengths = share_out(total, w, mins);
  const float weight_sum = std::accumulate(w.begin(), w.end(), 0.0f);
  float at = node.row ? pos.x : pos.y;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const ImVec2 child_pos = node.row ? ImVec2(at, pos.y) : ImVec2(pos.x, at);
    const ImVec2 child_size = node.row ? ImVec2(lengths[i], size.y) : ImVec2(size.x, lengths[i]);
    place(*parts[i], child_pos, child_size, visible, weights, m, out);
    at += lengths[i];
    if (i + 1 < parts.size()) {
      // A grip a third of a font size thick, centred on the edge, never thinner than 6 px.
      const float thick = std::max(6.0f, m.em * 0.33f);
      Splitter s;
      s.a = parts[i]->weight;
      s.b = parts[i + 1]->weight;
      s.vertical = node.row;
      s.pos = node.row ? ImVec2(at - thick * 0.5f, pos.y) : ImVec2(pos.x, at - thick * 0.5f);
      s.size = node.row ? ImVec2(thick, size.y) : ImVec2(size.x, thick);
      s.pixels_per_weight = weight_sum > 0.0f ? total / weight_sum : 1.0f;
      out.splitters.push_back(s);
    }
  }
}

}  // namespace

std::vector<float> share_out(float total, const std::vector<float>& weights, const std::vector<float>& minimums) {
  const std::size_t n = weights.size();
  std::vector<float> out(n, 0.0f);
  if (n == 0) return out;
  const float min_sum = std::accumulate(minimums.begin(), minimums.end(), 0.0f);
  if (min_sum >= total) {
    for (std::size_t i = 0; i < n; ++i) out[i] = min_sum > 0.0f ? total * minimums[i] / min_sum : total / n;
    return out;
  }
  // Share by weight; a part that falls under its minimum is held there and the rest
  // is shared again among the others, until none falls under.
  std::vector<bool> held(n, false);
  for (std::size_t round = 0; round <= n; ++round) {
    float free_total = total;
    float free_weight = 0.0f;
    for (std::size_t i = 0; i < n; ++i) {
      if (held[i]) {
        free_total -= minimums[i];
      } else {
        free_weight += weights[i];
      }
    }
    bool changed = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (held[i]) {
        out[i] = minimums[i];
        continue;
      }
      out[i] = free_weight > 0.0f ? free_total * weights[i] / free_weight : 0.0f;
      if (out[i] < minimums[i]) {
        held[i] = true;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return out;
}

Layout compute_layout(ImVec2 origin, ImVec2 size, const std::array<bool, kPanelCount>& visible,
                      const LayoutWeights& weights, LayoutMetrics metrics, std::optional<Panel> maximised) {
  Layout out;
  if (maximised) {
    out.panels[static_cast<std::size_t>(*maximised)] = PanelRect{origin, size};
    return out;
  }
  if (shown(tree(), visible)) place(tree(), origin, size, visible, weights, metrics, out);
  return out;
}

std::array<PanelRect, kPanelCount> compute_layout(ImVec2 origin, ImVec2 size,
                                                  const std::array<bool, kPanelCount>& visible) {
  return compute_layout(origin, size, visible, default_weights(false), LayoutMetrics{}).panels;
}

LayoutWeights drag_splitter(const LayoutWeights& weights, const Splitter& splitter, float delta) {
  LayoutWeights out = weights;
  auto& a = out[static_cast<std::size_t>(splitter.a)];
  auto& b = out[static_cast<std::size_t>(splitter.b)];
  const float sum = a + b;
  const float floor = sum * 0.05f;
  const float moved = delta / std::max(1.0f, splitter.pixels_per_weight);
  a = std::clamp(a + moved, floor, sum - floor);
  b = sum - a;
  return out;
}

}  // namespace sockstep::ui
