# Renders Markdown files with kramdown as Jekyll 4.3 configures it (GFM input, Rouge, as_char
# entities, plaintext as the default code language). Usage: ruby kramdown_oracle.rb OUTDIR FILE...
# Writes OUTDIR/<basename>.html for each FILE.
require 'kramdown'
require 'kramdown-parser-gfm'

OPTIONS = {
  input: 'GFM',
  hard_wrap: false,
  auto_ids: true,
  entity_output: :as_char,
  smart_quotes: 'lsquo,rsquo,ldquo,rdquo',
  footnote_nr: 1,
  show_warnings: false,
  syntax_highlighter: 'rouge',
  syntax_highlighter_opts: { default_lang: 'plaintext', guess_lang: true },
}.freeze

out_dir = ARGV.shift
ARGV.each do |path|
  html = begin
    Kramdown::Document.new(File.read(path, encoding: 'bom|utf-8'), OPTIONS).to_html
  rescue StandardError => e
    "<!-- kramdown failed: #{e.class} -->"
  end
  File.write(File.join(out_dir, File.basename(path, '.*') + '.html'), html)
end
