package plots

import (
	"fmt"
	"image/color"
	"io"
	"strings"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// DPI is the resolution PNG charts are rendered at.
const DPI = 96

// Default chart size: 1200 x 800 pixels at DPI.
const (
	Width  = 1200 * vg.Inch / DPI
	Height = 800 * vg.Inch / DPI
)

// Formats are the file formats Render writes, the first being the default.
var Formats = []string{"png", "svg", "pdf"}

// Chart is one figure: a grid of panels under a title, with an optional
// legend shared by the panels to their right and notes below them.
type Chart struct {
	Name    string         // file stem: "utilisation", "replay-lag", "lag-cdf", ...
	Title   string         // drawn above the panels
	Caption string         // what the chart shows, for the report's figure caption
	Notes   []string       // drawn under the panels: skipped policies, worst cases
	Panels  [][]*plot.Plot // rows of panels, all rows as long; nil cells stay empty
	Legend  *plot.Legend   // legend shared by the panels; nil if none
	Width   vg.Length      // size of the whole figure
	Height  vg.Length
}

// PlotChart wraps a single plot (for example Planning's) as a Chart of the
// default size whose title is the plot's own.
func PlotChart(name string, p *plot.Plot) Chart {
	return Chart{Name: name, Panels: [][]*plot.Plot{{p}}, Width: Width, Height: Height}
}

// Plots returns the chart's panels, row by row, skipping empty cells.
func (c Chart) Plots() []*plot.Plot {
	var ps []*plot.Plot
	for _, row := range c.Panels {
		for _, p := range row {
			if p != nil {
				ps = append(ps, p)
			}
		}
	}
	return ps
}

// Draw draws the chart onto dc.
func (c Chart) Draw(dc draw.Canvas) { c.draw(dc, true) }

// draw draws the chart; bold false draws every title in the regular weight.
func (c Chart) draw(dc draw.Canvas, bold bool) {
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	margin := vg.Points(10)
	dc = draw.Crop(dc, margin, -margin, margin, -margin)

	if c.Title != "" {
		sty := textStyle(titleSize, color.Black)
		if bold {
			sty.Font.Weight = xfont.WeightBold
		}
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		dc.FillText(sty, vg.Point{X: dc.Center().X, Y: dc.Max.Y}, c.Title)
		dc.Max.Y -= sty.Height(c.Title) + vg.Points(10)
	}
	if len(c.Notes) > 0 {
		sty := textStyle(noteSize+1, color.Gray{Y: 40})
		sty.YAlign = draw.YBottom
		var lines []string
		for _, n := range c.Notes {
			lines = append(lines, wrapText(sty, n, dc.Max.X-dc.Min.X)...)
		}
		y := dc.Min.Y
		for i := len(lines) - 1; i >= 0; i-- {
			dc.FillText(sty, vg.Point{X: dc.Min.X, Y: y}, lines[i])
			y += sty.Height(lines[i]) + vg.Points(2)
		}
		dc.Min.Y = y + vg.Points(8)
	}
	if c.Legend != nil {
		l := *c.Legend
		l.Top, l.Left = true, true
		room := dc.Max.Y - dc.Min.Y
		for l.TextStyle.Font.Size > vg.Points(7) && height(l, dc) > room {
			l.TextStyle.Font.Size -= vg.Points(0.5)
		}
		r := l.Rectangle(dc)
		w := r.Max.X - r.Min.X
		strip := draw.Crop(dc, dc.Max.X-dc.Min.X-w, 0, 0, 0)
		strip.Max.Y -= vg.Points(24) // level with the top of the first panel's data
		l.Draw(strip)
		dc.Max.X -= w + vg.Points(16)
	}
	rows := len(c.Panels)
	if rows == 0 {
		return
	}
	cols := len(c.Panels[0])
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(24), PadY: vg.Points(18)}
	canvases := plot.Align(c.Panels, tiles, dc)
	for j, row := range c.Panels {
		for i, p := range row {
			if p == nil {
				continue
			}
			w, title := p.Title.TextStyle.Font.Weight, p.Title.Text
			if !bold {
				p.Title.TextStyle.Font.Weight = xfont.WeightNormal
			}
			p.Title.Text = fitLines(p.Title.TextStyle, title, canvases[j][i].Max.X-canvases[j][i].Min.X)
			p.Draw(canvases[j][i])
			p.Title.TextStyle.Font.Weight, p.Title.Text = w, title
		}
	}
}

// wrapText breaks s into lines at most width wide, at spaces; a word wider
// than width is cut short.
func wrapText(sty text.Style, s string, width vg.Length) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		try := w
		if line != "" {
			try = line + " " + w
		}
		if sty.Width(try) <= width || line == "" {
			line = try
			continue
		}
		lines = append(lines, fitText(sty, line, width))
		line = w
	}
	if line != "" {
		lines = append(lines, fitText(sty, line, width))
	}
	return lines
}

// fitLines shortens each line of s to at most width.
func fitLines(sty text.Style, s string, width vg.Length) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = fitText(sty, l, width)
	}
	return strings.Join(lines, "\n")
}

// height is the height of legend l's entries.
func height(l plot.Legend, dc draw.Canvas) vg.Length {
	r := l.Rectangle(dc)
	return r.Max.Y - r.Min.Y
}

// textStyle is the default font at size points in colour c.
func textStyle(size float64, c color.Color) text.Style {
	sty := plot.New().Title.TextStyle
	sty.Font = sansFont(size)
	sty.Color = c
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YBottom
	return sty
}

// Render writes the chart to w as format: png, svg or pdf. For a PDF it
// draws the panel titles in the regular weight, changing and restoring the
// panels: do not render one Chart from two goroutines at once.
func Render(w io.Writer, c Chart, format string) error {
	cw, err := newCanvas(c.Width, c.Height, format)
	if err != nil {
		return err
	}
	// vgpdf registers each font under its regular style only, so bold
	// text fails there: PDF charts have regular titles.
	c.draw(draw.New(cw), format != "pdf")
	_, err = cw.WriteTo(w)
	return err
}

// newCanvas returns an empty canvas of size w x h writing format.
func newCanvas(w, h vg.Length, format string) (vg.CanvasWriterTo, error) {
	if w <= 0 || h <= 0 {
		w, h = Width, Height
	}
	switch format {
	case "png":
		return vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(DPI))}, nil
	case "svg":
		return vgsvg.New(w, h), nil
	case "pdf":
		return vgpdf.New(w, h), nil
	}
	return nil, fmt.Errorf("plots: unknown plot format %q (want png, svg or pdf)", format)
}
