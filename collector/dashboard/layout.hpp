// The frame of every page and the pieces pages share (status badges,
// pagination, export links, tables). Markup is escaped by construction
// (html.hpp); no inline script or style, so the Content-Security-Policy
// can forbid both.
#pragma once

#include <string>
#include <vector>

#include "html.hpp"
#include "page_context.hpp"

namespace clinic_audit::dashboard {

// A whole HTML page around `main` (already built with Html).
WebResponse html_page(const PageContext& ctx, std::string_view title_key, const std::string& main_html,
                      const std::string& title_suffix = {});

// <span class="badge s-KEY">translated</span>: colour and word, never colour alone.
void status_badge(Html& h, const PageContext& ctx, const std::string& status);
void severity_badge(Html& h, const PageContext& ctx, const std::string& severity);

// The current URL with some query parameters replaced (others kept), for
// pagination, sorting and export links: every list is a URL with its filters.
std::string with_params(const PageContext& ctx, std::initializer_list<std::pair<std::string, std::string>> changes);

void export_links(Html& h, const PageContext& ctx);
void pagination(Html& h, const PageContext& ctx, std::size_t page, bool has_next);

// Page number from ?page= (1-based, bounded).
std::size_t page_number(const PageContext& ctx);
inline constexpr std::size_t kPageSize = 50;

std::string host_link(const std::string& machine_id);
std::string check_link(const std::string& check_id);

}  // namespace clinic_audit::dashboard
