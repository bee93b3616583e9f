import 'uplot/dist/uPlot.min.css';
import './shared.css';
import './base.css';
import './catalog.css';
import './catalog-forms.css';
import './deploy.css';
import './help.css';
import './project.css';
